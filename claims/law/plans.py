"""Payment plans (plan d'apurement): pure rules, no ORM, no clock.

- Instalments are split to the cent exactly: the sum of the parts is the total.
- A plan is broken when an instalment is still not covered ``grace_days``
  after its due date; payments cover instalments in date order.
- Belgian consumers (legal-brief §2, Book XIX): while a request for payment
  facilities is pending the collection may not proceed, and if the creditor does
  not decide within 30 days interest stops running until it decides.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import ROUND_DOWN
from decimal import Decimal

CENT = Decimal("0.01")
UNDECIDED_REQUEST_DAYS = 30  # legal-brief §2 (kreston-vdn.be, mymds.be)
MAX_INSTALMENTS = 24  # the most monthly instalments a debtor may ask for


@dataclass(frozen=True)
class InstalmentSpec:
    due_on: date
    amount: Decimal


def add_months(start: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's last day (31 Jan → 28 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def split_amount(
    total: Decimal, count: int, *, first_due: date, every_months: int = 1
) -> list[InstalmentSpec]:
    """Split ``total`` into ``count`` monthly instalments summing exactly to it.

    Every instalment is the same whole number of cents; the cents left over are
    added one by one to the first instalments (never lost, never invented).
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    if total <= 0:
        raise ValueError("total must be positive")
    cents = int((total / CENT).to_integral_value(rounding=ROUND_DOWN))
    if Decimal(cents) * CENT != total:
        raise ValueError("total must be a whole number of cents")
    base, rest = divmod(cents, count)
    return [
        InstalmentSpec(
            due_on=add_months(first_due, i * every_months),
            amount=(Decimal(base + (1 if i < rest else 0)) * CENT),
        )
        for i in range(count)
    ]


def cover(instalments: Sequence[InstalmentSpec], paid: Decimal) -> list[Decimal]:
    """How much of each instalment ``paid`` covers, oldest first."""
    left = paid
    out = []
    for inst in sorted(instalments, key=lambda i: i.due_on):
        part = min(inst.amount, max(left, Decimal("0.00")))
        out.append(part)
        left -= part
    return out


def first_missed(
    instalments: Sequence[InstalmentSpec],
    paid: Decimal,
    *,
    today: date,
    grace_days: int,
) -> InstalmentSpec | None:
    """The first instalment still uncovered after its grace period, or None.

    An instalment due on D with grace G is missed from D + G + 1 on.
    """
    ordered = sorted(instalments, key=lambda i: i.due_on)
    for inst, covered in zip(ordered, cover(ordered, paid), strict=True):
        if covered < inst.amount and today > inst.due_on + timedelta(days=grace_days):
            return inst
    return None


def is_completed(instalments: Sequence[InstalmentSpec], paid: Decimal) -> bool:
    return paid >= sum((i.amount for i in instalments), Decimal("0.00"))


def interest_stops_on(*, requested_on: date, decided_on: date | None) -> date | None:
    """Date from which interest stops for an undecided consumer plan request.

    None when the creditor decided within 30 days (legal-brief §2).
    """
    limit = requested_on + timedelta(days=UNDECIDED_REQUEST_DAYS)
    if decided_on is not None and decided_on <= limit:
        return None
    return limit
