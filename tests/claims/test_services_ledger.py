"""claim_open and payment_record refuse bad input and change nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from claims.ledger.services import InvoiceData
from claims.ledger.services import claim_open
from claims.ledger.services import payment_record
from claims.ledger.statements import claim_statement
from claims.ledger.statements import creditor_today
from claims.ledger.validators import ogm_is_valid
from claims.models import Claim
from claims.models import Event
from claims.models import Payment
from tests import factories as f


def _invoice(**kw):
    data = {
        "number": "F-2026-001",
        "issue_date": dt.date(2026, 1, 15),
        "due_date": dt.date(2026, 2, 14),
        "amount": Decimal("1210.00"),
        "vat_amount": Decimal("210.00"),
    }
    return InvoiceData(**(data | kw))


def test_claim_open_writes_totals_reference_and_event(db):
    creditor = f.CreditorFactory()
    debtor = f.DebtorFactory(creditor=creditor)
    claim = claim_open(creditor=creditor, debtor=debtor, invoices=[_invoice()])
    claim.refresh_from_db()
    # The stored balance is the statement's total due (interest and the 40 €
    # B2B indemnity included), on the creditor's local date.
    today = creditor_today(creditor)
    statement = claim_statement(claim=claim, at=today)
    assert claim.principal == Decimal("1210.00")
    assert claim.balance == statement.total_due > Decimal("1210.00")
    assert claim.figures_at == today
    assert ogm_is_valid(claim.structured_reference)
    assert Event.objects.get(claim=claim).kind == Event.Kind.CREATED


def test_claim_open_refuses_another_creditors_debtor(cast):
    debtor_of_b = f.DebtorFactory(creditor=cast.other_creditor)
    with pytest.raises(ValidationError):
        claim_open(creditor=cast.creditor, debtor=debtor_of_b, invoices=[_invoice()])
    assert not Claim.objects.exists()


def test_claim_open_refuses_a_due_date_before_the_issue_date(db):
    creditor = f.CreditorFactory()
    debtor = f.DebtorFactory(creditor=creditor)
    bad = _invoice(due_date=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        claim_open(creditor=creditor, debtor=debtor, invoices=[bad])
    assert not Claim.objects.exists()


@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("-5.00")])
def test_payment_record_refuses_a_non_positive_amount(db, amount):
    claim = f.ClaimFactory()
    with pytest.raises(ValidationError, match="positif"):
        payment_record(claim=claim, amount=amount, on=dt.date(2026, 3, 1))
    assert not Payment.objects.exists()
