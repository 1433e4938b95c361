"""Build the statement of account of a claim from the database (selector).

Loads the claim's invoices, payments, waivers and the rate table, then hands
plain values to the pure functions of ``claims.law``.
"""

from __future__ import annotations

from datetime import date

from claims.law.types import ZERO
from claims.law.types import InvoiceLine
from claims.law.types import Statement
from claims.models import Claim
from claims.models import InvoiceKind


def claim_statement(*, claim: Claim, at: date) -> Statement:
    """The statement of ``claim`` on ``at`` (principal and payments only for now)."""
    invoices = list(claim.invoices.all())
    payments = [p for p in claim.payments.all() if p.date <= at]
    principal = sum(
        (
            i.amount if i.kind != InvoiceKind.CREDIT_NOTE else -i.amount
            for i in invoices
        ),
        ZERO,
    )
    paid = sum((p.amount for p in payments), ZERO)
    due = max(principal - paid, ZERO)
    return Statement(
        at=at,
        currency=claim.currency,
        invoices=tuple(
            InvoiceLine(
                number=i.number,
                issue_date=i.issue_date,
                due_date=i.due_date,
                amount=i.amount,
                principal_paid=ZERO,
                principal_due=i.amount,
                is_credit_note=i.kind == InvoiceKind.CREDIT_NOTE,
                description=i.description,
            )
            for i in invoices
        ),
        interest_periods=(),
        fees=(),
        allocations=(),
        principal=principal,
        principal_due=due,
        interest=ZERO,
        interest_due=ZERO,
        costs=ZERO,
        costs_due=ZERO,
        paid=paid,
        waived=ZERO,
        credit=max(paid - principal, ZERO),
        total_due=due,
    )
