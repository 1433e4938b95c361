"""Book XIX waiting period (legal-brief §2.2 worked examples)."""

from datetime import date

from claims.law.waiting import be_consumer_charges_from
from claims.law.waiting import belgian_public_holidays
from claims.law.waiting import easter_sunday


def test_post_sent_monday_18_sep_2023_claimable_thursday_5_oct():
    assert be_consumer_charges_from(date(2023, 9, 18), "post") == date(2023, 10, 5)


def test_email_sent_monday_2_mar_2026_claimable_tuesday_17_mar():
    assert be_consumer_charges_from(date(2026, 3, 2), "email") == date(2026, 3, 17)


def test_post_over_easter_skips_the_holiday():
    # Sent Thu 2 Apr 2026; Fri 3, Tue 7, Wed 8 are the working days (Mon 6 = Easter Monday).
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert date(2026, 4, 6) in belgian_public_holidays(2026)
    assert be_consumer_charges_from(date(2026, 4, 2), "registered") == date(2026, 4, 22)
