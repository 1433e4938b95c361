"""What the statement of account says is due: the one figure tests compare with."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from claims.ledger.statements import claim_statement
from claims.ledger.statements import creditor_today
from claims.models import Claim


def statement_balance(claim: Claim, at: date | None = None) -> Decimal:
    """The statement's total due minus any credit, on ``at`` (default: the
    creditor's today) — what ``Claim.balance`` must hold once refreshed."""
    fresh = Claim.objects.select_related("creditor").get(pk=claim.pk)
    s = claim_statement(claim=fresh, at=at or creditor_today(fresh.creditor))
    return s.total_due - s.credit
