"""Book XIX waiting period (art. XIX.2 CDE, legal-brief §2.2)."""

from datetime import date

from claims.law.calendar import belgian_public_holidays
from claims.law.calendar import claimable_from
from claims.law.calendar import easter_sunday
from claims.law.calendar import waiting_period_start


def test_easter_dates() -> None:
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2026) == date(2026, 4, 5)


def test_belgian_holidays_2026_include_movable_feasts() -> None:
    h = belgian_public_holidays(2026)
    assert len(h) == 10
    assert date(2026, 4, 6) in h  # Lundi de Pâques
    assert date(2026, 5, 14) in h  # Ascension
    assert date(2026, 5, 25) in h  # Lundi de Pentecôte


def test_posted_reminder_worked_example_of_the_brief() -> None:
    # §2.2: posted Mon 18 Sep 2023 → starts Thu 21 Sep → claimable Thu 5 Oct.
    assert waiting_period_start(date(2023, 9, 18), "post") == date(2023, 9, 21)
    assert claimable_from(date(2023, 9, 18), "post") == date(2023, 10, 5)


def test_email_reminder_worked_example_of_the_brief() -> None:
    # §2.2: e-mail Mon 2 Mar 2026 → starts Tue 3 Mar → claimable Tue 17 Mar.
    assert waiting_period_start(date(2026, 3, 2), "email") == date(2026, 3, 3)
    assert claimable_from(date(2026, 3, 2), "email") == date(2026, 3, 17)


def test_posted_reminder_skips_weekend_and_easter_monday() -> None:
    # Thu 2 Apr 2026: Fri 3 (1), Sat/Sun, Mon 6 Easter Monday, Tue 7 (2), Wed 8 (3).
    assert waiting_period_start(date(2026, 4, 2), "post") == date(2026, 4, 8)
