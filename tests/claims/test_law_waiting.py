"""Book XIX waiting period (legal-brief §2.2 worked examples)."""

from datetime import date

import pytest

from claims.law import calendar as cal
from claims.law.calendar import belgian_public_holidays
from claims.law.calendar import claimable_from as be_consumer_charges_from
from claims.law.calendar import easter_sunday


def test_post_sent_monday_18_sep_2023_claimable_thursday_5_oct():
    assert be_consumer_charges_from(date(2023, 9, 18), "post") == date(2023, 10, 5)


def test_email_sent_monday_2_mar_2026_claimable_tuesday_17_mar():
    assert be_consumer_charges_from(date(2026, 3, 2), "email") == date(2026, 3, 17)


def test_post_over_easter_skips_the_holiday():
    # Sent Thu 2 Apr 2026; Fri 3, Tue 7, Wed 8 are the working days (Mon 6 = Easter Monday).
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert date(2026, 4, 6) in belgian_public_holidays(2026)
    assert be_consumer_charges_from(date(2026, 4, 2), "registered") == date(2026, 4, 22)


# --- one calendar for both countries (legal-brief §2.2 "working day" ⚠️) -------


@pytest.mark.parametrize(
    ("day", "country"),
    [
        (date(2026, 12, 25), "BE"),
        (date(2026, 12, 25), "FR"),
        (date(2026, 11, 11), "FR"),
        (date(2026, 4, 6), "FR"),  # Lundi de Pâques
        (date(2026, 5, 14), "FR"),  # Ascension
        (date(2026, 5, 25), "FR"),  # Lundi de Pentecôte
        (date(2026, 7, 14), "FR"),
        (date(2026, 5, 8), "FR"),
        (date(2026, 7, 21), "BE"),
    ],
)
def test_public_holidays_are_not_working_days(day, country):
    assert day.weekday() < 5
    assert not cal.is_working_day(day, country)


def test_national_days_are_per_country():
    assert cal.is_working_day(date(2026, 7, 14), "BE")  # French national day
    assert cal.is_working_day(date(2026, 7, 21), "FR")  # Belgian national day
    assert cal.is_working_day(date(2026, 5, 8), "BE")
    assert len(cal.french_public_holidays(2026)) == 11


def test_next_working_day_skips_weekends_and_holidays():
    # Fri 25 Dec 2026 → Mon 28 Dec; Sun 1 Nov 2026 → Mon 2 Nov; Easter Mon → Tue.
    assert cal.next_working_day(date(2026, 12, 25), "BE") == date(2026, 12, 28)
    assert cal.next_working_day(date(2026, 11, 1), "FR") == date(2026, 11, 2)
    assert cal.next_working_day(date(2027, 3, 29), "BE") == date(2027, 3, 30)
    assert cal.next_working_day(date(2026, 3, 4), "FR") == date(2026, 3, 4)


def test_add_working_days_counts_after_the_day():
    # Thu 24 Dec 2026 +1 working day: Fri 25 is Christmas → Mon 28.
    assert cal.add_working_days(date(2026, 12, 24), 1, "FR") == date(2026, 12, 28)
    assert cal.add_working_days(date(2026, 7, 13), 1, "FR") == date(2026, 7, 15)
    assert cal.add_working_days(date(2026, 7, 13), 1, "BE") == date(2026, 7, 14)


def test_unknown_and_mixed_channels_use_the_later_paper_start():
    # §2.2: e-mail → next calendar day; anything not purely electronic → 3rd working day.
    sent = date(2026, 3, 2)
    assert cal.waiting_period_start(sent, "email") == date(2026, 3, 3)
    for channel in ("post", "registered", "email_post", "fax", ""):
        assert cal.waiting_period_start(sent, channel) == date(2026, 3, 5)


def test_message_deadline_moves_to_the_next_working_day():
    # Sent Thu 10 Dec 2026 with 15 days → Fri 25 Dec (Christmas) → Mon 28 Dec.
    assert cal.message_deadline(date(2026, 12, 10), 15, "BE") == date(2026, 12, 28)
    # Sent Thu 29 Oct 2026 with 3 days → Sun 1 Nov → Mon 2 Nov.
    assert cal.message_deadline(date(2026, 10, 29), 3, "FR") == date(2026, 11, 2)
    assert cal.message_deadline(date(2026, 3, 2), 15, "FR") == date(2026, 3, 17)


def test_be_consumer_first_reminder_deadline_is_the_last_day_of_the_period():
    # §2.2: e-mailed Mon 2 Mar 2026 → starts Tue 3 Mar → last day Mon 16 Mar.
    assert cal.message_deadline(
        date(2026, 3, 2), 15, "BE", kind="first_reminder", debtor_kind="consumer"
    ) == date(2026, 3, 16)
    # e-mailed Sun 22 Mar 2026 → starts Mon 23 → 14th day Sun 5 Apr (Easter),
    # Mon 6 Apr Easter Monday → the deadline is Tue 7 Apr; charges from Wed 8 Apr.
    sent = date(2026, 3, 22)
    assert cal.message_deadline(
        sent, 15, "BE", kind="first_reminder", debtor_kind="consumer"
    ) == date(2026, 4, 7)
    assert cal.claimable_from(sent, "email") == date(2026, 4, 8)
