"""Working days, public holidays, message deadlines and the Book XIX waiting period.

The one implementation (pure, no clock, no database) used by the engine, the
statement of account and the letters.

- Working day (legal-brief §2.2 ⚠️, §13.3): "working day" is not defined in the
  sources; we use Monday–Friday minus the public holidays of the creditor's
  country, which gives the safer (later) date.
- Book XIX waiting period (art. XIX.2 CDE, legal-brief §2.2): at least 14
  calendar days, starting the calendar day after an electronic reminder, or the
  third working day after a letter is posted.
- Channels: only purely electronic channels (e-mail, SMS, portal) start the
  period the next day. Every other channel — post, registered, e-mail + post,
  and any channel this module does not know — is treated as paper, the later
  (safer) start (legal-brief §2.2: "the safer, later date").
- Deadline of a message (:func:`message_deadline`): the last day to pay printed
  in a message sent on D with N days is D + N, moved to the next working day of
  the creditor's country; for the Belgian consumer's first reminder it is the
  last day of the 14-day period (start + 13), moved the same way. Nothing may
  follow — no step, no charge — before the day after it.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from functools import lru_cache

WAITING_DAYS = 14  # art. XIX.2 CDE: at least 14 calendar days (legal-brief §2.2)
POST_WORKING_DAYS = 3  # art. XIX.2 CDE: third working day after posting (§2.2)
ELECTRONIC_CHANNELS = frozenset({"email", "sms", "portal"})
# Channels that put a dated letter in the post (a registered letter, or a letter
# sent along with an e-mail): never dated on a weekend or a public holiday.
POSTAL_CHANNELS = frozenset({"post", "registered", "email_post"})


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


@lru_cache(maxsize=64)
def french_public_holidays(year: int) -> frozenset[date]:
    """The eleven French public holidays (art. L3133-1 Code du travail).

    Alsace-Moselle's two extra days (Good Friday, 26 December) are not included.
    """
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),  # Jour de l'an
            easter + timedelta(days=1),  # Lundi de Pâques
            date(year, 5, 1),  # Fête du Travail
            date(year, 5, 8),  # Victoire 1945
            easter + timedelta(days=39),  # Ascension
            easter + timedelta(days=50),  # Lundi de Pentecôte
            date(year, 7, 14),  # Fête nationale
            date(year, 8, 15),  # Assomption
            date(year, 11, 1),  # Toussaint
            date(year, 11, 11),  # Armistice
            date(year, 12, 25),  # Noël
        }
    )


def public_holidays(year: int, country: str = "BE") -> frozenset[date]:
    """Public holidays of ``country`` ("BE" or "FR"; anything else: Belgian)."""
    if country == "FR":
        return french_public_holidays(year)
    return belgian_public_holidays(year)


def is_working_day(day: date, country: str = "BE") -> bool:
    """Monday–Friday and not a public holiday of ``country`` (legal-brief §2.2 ⚠️)."""
    return day.weekday() < 5 and day not in public_holidays(day.year, country)


def next_working_day(day: date, country: str = "BE") -> date:
    """``day`` itself when it is a working day, else the next one."""
    while not is_working_day(day, country):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, n: int, country: str = "BE") -> date:
    """The ``n``-th working day of ``country`` strictly after ``day``."""
    current = day
    while n > 0:
        current += timedelta(days=1)
        if is_working_day(current, country):
            n -= 1
    return current


def is_electronic(channel: str) -> bool:
    """True only for purely electronic channels; unknown channels count as paper."""
    return channel in ELECTRONIC_CHANNELS


def waiting_period_start(sent_on: date, channel: str) -> date:
    """First day of the 14-day period (art. XIX.2 CDE, legal-brief §2.2).

    Electronic reminder: the calendar day after sending; paper (and any
    channel not known to be electronic): the third Belgian working day after
    the day it is posted.
    """
    if is_electronic(channel):
        return sent_on + timedelta(days=1)
    return add_working_days(sent_on, POST_WORKING_DAYS, "BE")


def message_deadline(
    sent_on: date,
    days: int,
    country: str = "BE",
    *,
    kind: str = "",
    debtor_kind: str = "",
    channel: str = "email",
) -> date:
    """Last day to pay (inclusive) printed in a message sent on ``sent_on``.

    ``sent_on + days`` moved to the next working day of the creditor's
    ``country``. A Belgian consumer's first reminder gives the whole 14-day
    period instead: start + 13 (art. XIX.2 CDE, legal-brief §2.2), moved the
    same way. The engine holds any later step until the day after.
    """
    if kind == "first_reminder" and country == "BE" and debtor_kind == "consumer":
        last = waiting_period_start(sent_on, channel) + timedelta(days=WAITING_DAYS - 1)
    else:
        last = sent_on + timedelta(days=days)
    return next_working_day(last, country)


def claimable_from(sent_on: date, channel: str) -> date:
    """Day from which Book XIX interest and indemnity may be claimed.

    The day after the first reminder's printed deadline: start + 14 days (art.
    XIX.2 CDE), later when the 14th day falls on a weekend or a Belgian public
    holiday (the printed deadline then moves to the next working day).
    Worked examples of legal-brief §2.2: posted Mon 18 Sep 2023 → starts Thu
    21 Sep → claimable Thu 5 Oct 2023; e-mailed Mon 2 Mar 2026 → Tue 17 Mar.
    """
    deadline = message_deadline(
        sent_on, 0, "BE", kind="first_reminder", debtor_kind="consumer", channel=channel
    )
    return deadline + timedelta(days=1)

