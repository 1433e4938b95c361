"""Belgian consumer waiting period after the first reminder (art. XIX.2 CDE).

legal-brief §2.2: the consumer has at least 14 calendar days after the first
(free) reminder before any indemnity or interest may be claimed. The period
starts the calendar day after an electronic reminder, or the 3rd working day
after a paper reminder is sent. ⚠️ "working day" is not defined in the sources:
we use Monday–Friday minus Belgian public holidays (the safer, later date).
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

WAITING_DAYS = 14  # legal-brief §2.2 ✅
POST_WORKING_DAYS = 3  # legal-brief §2.2 ✅ (3rd working day after sending)
PAPER_CHANNELS = frozenset({"post", "registered"})


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month = (h + leap - 7 * m + 114) // 31
    day = (h + leap - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def belgian_public_holidays(year: int) -> frozenset[date]:
    """The ten Belgian legal public holidays of ``year``."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter + timedelta(days=1),  # Easter Monday
            date(year, 5, 1),
            easter + timedelta(days=39),  # Ascension
            easter + timedelta(days=50),  # Whit Monday
            date(year, 7, 21),
            date(year, 8, 15),
            date(year, 11, 1),
            date(year, 11, 11),
            date(year, 12, 25),
        }
    )


def is_be_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in belgian_public_holidays(day.year)


def add_be_working_days(start: date, n: int) -> date:
    """The ``n``-th Belgian working day after ``start`` (``start`` excluded)."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_be_working_day(day):
            n -= 1
    return day


def waiting_period_start(sent_on: date, channel: str) -> date:
    """First day of the 14-day period (paper: 3rd working day after sending)."""
    if channel in PAPER_CHANNELS:
        return add_be_working_days(sent_on, POST_WORKING_DAYS)
    return sent_on + timedelta(days=1)


def be_consumer_charges_from(sent_on: date, channel: str) -> date:
    """First day on which indemnity or interest may be claimed from a BE consumer.

    legal-brief §2.2 worked examples: posted Mon 18 Sep 2023 → from Thu 5 Oct 2023;
    e-mailed Mon 2 Mar 2026 → from Tue 17 Mar 2026.
    """
    return waiting_period_start(sent_on, channel) + timedelta(days=WAITING_DAYS)
