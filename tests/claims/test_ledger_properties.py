"""Whatever sequence of credit notes, payments and cancellations is thrown at a
claim, the ledger stays sensible (hypothesis, PostgreSQL): the principal never
goes below zero, refused entries write nothing, and the stored totals equal the
entries that were accepted and not cancelled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from claims.ledger.services import InvoiceData
from claims.ledger.services import credit_note_reverse
from claims.ledger.services import invoice_add
from claims.ledger.services import payment_record
from claims.ledger.services import payment_reverse
from claims.models import Claim
from claims.models import Invoice
from claims.models import InvoiceKind
from claims.models import Payment
from tests import factories as f

CENTS = st.integers(min_value=-500, max_value=150_000).map(lambda c: Decimal(c) / 100)
STEP = st.one_of(
    st.tuples(st.just("credit"), CENTS),
    st.tuples(st.just("pay"), CENTS),
    st.tuples(st.just("cancel_credit"), st.integers(0, 5)),
    st.tuples(st.just("cancel_pay"), st.integers(0, 5)),
)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(steps=st.lists(STEP, max_size=8))
@pytest.mark.django_db
def test_any_sequence_keeps_the_ledger_sensible(steps):
    claim = f.ClaimFactory(invoices=[{"amount": Decimal("780.00")}])
    credits: list[Invoice] = []
    payments: list[Payment] = []
    live_credit = Decimal("0.00")
    live_paid = Decimal("0.00")
    for n, (op, value) in enumerate(steps):
        try:
            if op == "credit":
                note = invoice_add(
                    claim=claim,
                    data=InvoiceData(
                        number=f"NC-{n}",
                        issue_date=dt.date(2026, 2, 1),
                        due_date=dt.date(2026, 2, 1),
                        amount=value,
                        kind=InvoiceKind.CREDIT_NOTE,
                    ),
                )
                # Accepted only when positive and within what remained.
                assert Decimal("0") < value <= Decimal("780.00") - live_credit
                credits.append(note)
                live_credit += value
            elif op == "pay":
                payments.append(
                    payment_record(claim=claim, amount=value, on=dt.date(2026, 3, 1))
                )
                assert value > 0
                live_paid += value
            elif op == "cancel_credit" and value < len(credits):
                credit_note_reverse(credit_note=credits[value], reason="erreur")
                live_credit -= credits[value].amount
            elif op == "cancel_pay" and value < len(payments):
                payment_reverse(payment=payments[value], reason="rejeté")
                live_paid -= payments[value].amount
        except ValidationError as exc:
            messages = exc.messages
            assert messages  # a sentence for the user
            if op == "credit":
                assert value <= 0 or value > Decimal("780.00") - live_credit
            if op.startswith("cancel"):  # only ever refused when cancelled before
                target = (credits if op == "cancel_credit" else payments)[value]
                assert target.reversed_by is not None
        stored = Claim.objects.get(pk=claim.pk)
        assert stored.principal == Decimal("780.00") - live_credit
        assert stored.principal >= 0
        assert stored.paid == live_paid


@SETTINGS
@given(on=st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31)))
@pytest.mark.django_db
def test_a_payment_is_accepted_exactly_between_the_first_invoice_and_today(on):
    from claims.ledger.rules import creditor_today

    claim = f.ClaimFactory()  # first invoice of 15/01/2026
    today = creditor_today(claim.creditor)
    inside = dt.date(2026, 1, 15) <= on <= today
    if inside:
        payment_record(claim=claim, amount=Decimal("1.00"), on=on)
        assert Payment.objects.filter(claim=claim).count() == 1
    else:
        with pytest.raises(ValidationError, match=r"futur|première facture"):
            payment_record(claim=claim, amount=Decimal("1.00"), on=on)
        assert not Payment.objects.filter(claim=claim).exists()
