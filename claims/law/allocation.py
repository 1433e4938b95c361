"""Payment allocation (imputation des paiements) — pure.

Default order: costs, then interest, then principal (art. 1254 old C. civ.,
art. 5.207 Belgian Civil Code; art. 1343-1 French C. civ.), across the
claim's invoices oldest first. A creditor may agree another order
(``principal_first``). What is left over becomes a credit for the debtor.
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

    Categories are taken in ``order``; within one, keys in the given order
    (oldest invoice first). Returns ``({(category, key): paid}, leftover)``;
    every cent of ``amount`` is in exactly one of the two.
    """
    remaining = amount
    paid: dict[tuple[str, str], Decimal] = {}
    for category in ORDERS[order]:
        for key, due in outstanding.get(category, ()):
            if remaining <= ZERO:
                return paid, ZERO
            part = min(due, remaining)
            if part > ZERO:
                paid[(category, key)] = paid.get((category, key), ZERO) + part
                remaining -= part
    return paid, remaining
