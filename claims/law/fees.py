"""Fixed compensation, Book XIX caps and penalty clauses (pure).

- B2B, BE and FR: 40 EUR per invoice paid late (BE: law of 2 Aug 2002, art. 6;
  FR: art. L441-10 II and D441-5 C. com.; per invoice: CJEU C-585/20).
- Consumers: never the 40 EUR. BE B2C: lump-sum indemnity capped by the
  brackets of art. XIX.4 CDE. FR B2C: no recovery costs without an
  enforceable title (art. L111-8 CPCE).
- Penalty clause: from the creditor's terms; warning when interest + penalty
  exceed 10 % of the principal (BE uncontested-debt procedure, art. 1394/20 C.J.).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
B2B_FIXED_INDEMNITY = Decimal("40.00")
UNCONTESTED_CAP = Decimal("0.10")


def round_cent(x: Decimal) -> Decimal:
    """Half-up to the cent, once per line shown (design.md §6)."""
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def book_xix_cap(balance: Decimal) -> Decimal:
    """Maximum lump-sum indemnity on a consumer's remaining balance (art. XIX.4 CDE).

    ≤ 150 → 20; 150.01-500 → 30 + 10 % of the part above 150;
    > 500 → 65 + 5 % of the part above 500, at most 2 000.
    """
    if balance <= ZERO:
        return ZERO
    if balance <= Decimal("150"):
        return Decimal("20.00")
    if balance <= Decimal("500"):
        return round_cent(Decimal("30") + (balance - Decimal("150")) * Decimal("0.10"))
    return min(
        round_cent(Decimal("65") + (balance - Decimal("500")) * Decimal("0.05")),
        Decimal("2000.00"),
    )


def penalty_clause_amount(
    principal: Decimal, percent: Decimal | None, minimum: Decimal | None
) -> Decimal:
    """The creditor's penalty clause: ``percent`` of principal, at least ``minimum``."""
    amount = ZERO
    if percent is not None:
        amount = round_cent(principal * percent / Decimal("100"))
    if minimum is not None:
        amount = max(amount, minimum)
    return amount


def exceeds_uncontested_cap(
    principal: Decimal, interest: Decimal, penalty: Decimal
) -> bool:
    """Art. 1394/20 C.J.: interest + penalty clause ≤ 10 % of the principal."""
    return interest + penalty > principal * UNCONTESTED_CAP
