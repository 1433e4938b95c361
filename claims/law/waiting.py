"""Old home of the Book XIX waiting period: every name is re-exported from
``claims.law.calendar``, the one implementation (legal-brief §2.2)."""

from __future__ import annotations

from .calendar import PAPER_CHANNELS
from .calendar import POST_WORKING_DAYS
from .calendar import WAITING_DAYS
from .calendar import add_be_working_days
from .calendar import be_consumer_charges_from
from .calendar import belgian_public_holidays
from .calendar import easter_sunday
from .calendar import is_be_working_day
from .calendar import waiting_period_start

__all__ = [
    "PAPER_CHANNELS",
    "POST_WORKING_DAYS",
    "WAITING_DAYS",
    "add_be_working_days",
    "be_consumer_charges_from",
    "belgian_public_holidays",
    "easter_sunday",
    "is_be_working_day",
    "waiting_period_start",
]
