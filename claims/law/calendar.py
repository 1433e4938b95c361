"""Belgian working days and the Book XIX waiting period (pure, no clock).

Legal basis: CDE art. XIX.2 (legal-brief §2.2). The period of at least 14
calendar days starts the calendar day after an e-mail is sent, or the third
working day after a letter is posted. "Working day" is not defined in the
sources (⚠️ §13.3): we use Monday-Friday minus Belgian public holidays, which
gives the safer (later) date.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from functools import lru_cache

WAITING_DAYS = 14  # art. XIX.2 CDE: at least 14 calendar days
POST_WORKING_DAYS = 3  # art. XIX.2 CDE: third working day after posting
ELECTRONIC_CHANNELS = frozenset({"email", "sms", "portal", "email_post"})


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian / Meeus algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    x = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * x) // 451
    month, day = divmod(h + x - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def belgian_public_holidays(year: int) -> frozenset[date]:
    """The ten Belgian legal public holidays (law of 4 January 1974)."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),  # Nouvel An
            easter + timedelta(days=1),  # Lundi de Pâques
            date(year, 5, 1),  # Fête du Travail
            easter + timedelta(days=39),  # Ascension
            easter + timedelta(days=50),  # Lundi de Pentecôte
            date(year, 7, 21),  # Fête nationale
            date(year, 8, 15),  # Assomption
            date(year, 11, 1),  # Toussaint
            date(year, 11, 11),  # Armistice
            date(year, 12, 25),  # Noël
        }
    )


def is_belgian_working_day(day: date) -> bool:
    """Monday-Friday and not a Belgian public holiday."""
    return day.weekday() < 5 and day not in belgian_public_holidays(day.year)


def nth_working_day_after(day: date, n: int) -> date:
    """The ``n``-th Belgian working day strictly after ``day``."""
    current = day
    while n > 0:
        current += timedelta(days=1)
        if is_belgian_working_day(current):
            n -= 1
    return current


def waiting_period_start(sent_on: date, channel: str) -> date:
    """First day of the 14-day period (art. XIX.2 CDE, legal-brief §2.2).

    Electronic reminder: the calendar day after sending; paper: the third
    working day after the day it is posted.
    """
    if channel in ELECTRONIC_CHANNELS:
        return sent_on + timedelta(days=1)
    return nth_working_day_after(sent_on, POST_WORKING_DAYS)


def claimable_from(sent_on: date, channel: str) -> date:
    """Day from which Book XIX interest and indemnity may be claimed.

    start + 14 days (art. XIX.2 CDE; worked example of legal-brief §2.2:
    posted Mon 18 Sep 2023 → starts Thu 21 Sep → claimable Thu 5 Oct 2023).
    """
    return waiting_period_start(sent_on, channel) + timedelta(days=WAITING_DAYS)
