"""Pure rules for a payment-plan proposal: split an amount into instalments."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_DOWN
from decimal import Decimal

CENT = Decimal("0.01")
MAX_INSTALMENTS = 24


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's last day (31/01 → 28/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def split_instalments(
    total: Decimal, count: int, first: date
) -> list[tuple[date, Decimal]]:
    """``count`` monthly instalments from ``first`` summing exactly to ``total``.

    Every instalment gets the same amount rounded down to the cent; the cents
    left over go one by one to the first instalments, so amounts differ by at
    most one cent and the sum is exact.
    """
    if count < 1 or count > MAX_INSTALMENTS:
        raise ValueError("instalment count out of range")
    if total <= 0:
        raise ValueError("nothing to split")
    base = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    left_cents = int((total - base * count) / CENT)
    return [
        (add_months(first, i), base + (CENT if i < left_cents else Decimal("0")))
        for i in range(count)
    ]
