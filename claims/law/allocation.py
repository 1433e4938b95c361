"""Payment allocation (imputation des paiements) — pure.

Invoice by invoice, oldest first (art. 1256 old Belgian C. civ., Book 5
equivalent ⚠️ article number not checked; art. 1342-10 French C. civ.: debts
due first, then the one the debtor had most interest in paying, else the
oldest), and within each invoice costs, then
interest, then principal (art. 1254 old C. civ., art. 5.207 Belgian Civil
Code; art. 1343-1 French C. civ.). A creditor may agree another order within
the invoice (``principal_first``). What is left over becomes a credit for
the debtor.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from decimal import Decimal

ZERO = Decimal("0.00")
ORDERS: dict[str, tuple[str, ...]] = {
    "costs_interest_principal": ("costs", "interest", "principal"),
    "principal_first": ("principal", "interest", "costs"),
}


def allocate(
    amount: Decimal,
    outstanding: Mapping[str, Sequence[tuple[str, Decimal]]],
    order: str = "costs_interest_principal",
) -> tuple[dict[tuple[str, str], Decimal], Decimal]:
    """Split ``amount`` over ``outstanding[category] = [(key, due), ...]``.

    Keys (invoices) are taken in the order given (oldest first, the first
    time a key appears in any category); for each key, its categories in
    ``order``: the oldest invoice is settled in full — costs, interest,
    principal — before anything goes to the next one. Returns
    ``({(category, key): paid}, leftover)``; every cent of ``amount`` is in
    exactly one of the two.
    """
    remaining = amount
    paid: dict[tuple[str, str], Decimal] = {}
    keys: dict[str, None] = {}  # insertion-ordered set: oldest invoice first
    dues: dict[tuple[str, str], Decimal] = {}
    for category, rows in outstanding.items():
        for key, due in rows:
            keys.setdefault(key, None)
            dues[(category, key)] = dues.get((category, key), ZERO) + due
    for key in keys:
        for category in ORDERS[order]:
            if remaining <= ZERO:
                return paid, ZERO
            part = min(dues.get((category, key), ZERO), remaining)
            if part > ZERO:
                paid[(category, key)] = part
                remaining -= part
    return paid, remaining
