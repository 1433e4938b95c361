"""Payments and events are written once: no update, no delete, not even in bulk."""

import datetime as dt
from decimal import Decimal

import pytest

from claims.models import Event
from claims.models import Payment
from claims.services import payment_record
from claims.services import payment_reverse
from tests import factories as f
from tests.figures import statement_balance


@pytest.fixture
def payment(db):
    claim = f.ClaimFactory()
    return payment_record(claim=claim, amount=Decimal("100.00"), on=dt.date(2026, 3, 1))


def test_a_payment_cannot_be_saved_twice(payment):
    payment.amount = Decimal("1.00")
    with pytest.raises(TypeError, match="append-only"):
        payment.save()
    assert Payment.objects.get(pk=payment.pk).amount == Decimal("100.00")


def test_a_payment_cannot_be_deleted(payment):
    with pytest.raises(TypeError, match="append-only"):
        payment.delete()
    with pytest.raises(TypeError, match="append-only"):
        Payment.objects.filter(pk=payment.pk).delete()
    with pytest.raises(TypeError, match="append-only"):
        Payment.objects.filter(pk=payment.pk).update(amount=Decimal("1.00"))
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_a_reversal_is_a_new_row_and_restores_the_balance(payment):
    claim = payment.claim
    reversal = payment_reverse(payment=payment, reason="chèque sans provision")
    assert reversal.pk != payment.pk
    assert reversal.amount == Decimal("-100.00")
    claim.refresh_from_db()
    assert claim.paid == Decimal("0.00")
    assert claim.balance == statement_balance(claim) > Decimal("1210.00")


def test_an_event_is_immutable(payment):
    event = Event.objects.filter(claim=payment.claim, kind=Event.Kind.PAYMENT).get()
    event.message = "réécrit"
    with pytest.raises(TypeError, match="immutable"):
        event.save()
    with pytest.raises(TypeError, match="immutable"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        Event.objects.filter(pk=event.pk).update(message="réécrit")
    with pytest.raises(TypeError, match="append-only"):
        Event.objects.filter(pk=event.pk).delete()
    assert Event.objects.get(pk=event.pk).message.startswith("Paiement de 100,00\u00a0€")


def test_payment_record_updates_the_cached_totals(payment):
    claim = payment.claim
    claim.refresh_from_db()
    # One invoice of 1,210.00 (factory), a payment of 100.00; the balance is
    # the statement's (the payment went to costs and interest first).
    assert (claim.principal, claim.paid, claim.balance) == (
        Decimal("1210.00"),
        Decimal("100.00"),
        statement_balance(claim),
    )
