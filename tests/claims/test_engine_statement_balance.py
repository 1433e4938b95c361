"""The engine's "nothing due" means the statement says nothing is due.

Paying the invoice amount leaves the 40 € indemnity and the interest: the
claim stays open and the next message still goes (it asks for that rest);
paying what the statement says closes it and cancels what was planned.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from claims.engine.run import collection_run_sync
from claims.ledger.services import payment_record
from claims.models import Action
from tests import factories as f
from tests.claims.engine_fixtures import at
from tests.claims.engine_fixtures import open_claim
from tests.figures import statement_balance

pytestmark = pytest.mark.usefixtures("engine_seed")
D = date(2026, 3, 2)
DAY3 = D + timedelta(days=3)  # BE-B2B first reminder
DAY15 = D + timedelta(days=15)  # BE-B2B second reminder


@pytest.fixture
def claim(db):
    with time_machine.travel(at(D - timedelta(days=1)), tick=False):
        creditor = f.CreditorFactory()
        return open_claim(creditor, f.DebtorFactory(creditor=creditor), due=D)


def test_paying_the_invoice_amount_leaves_interest_and_costs_due(deliverer, claim):
    with time_machine.travel(at(DAY3), tick=False):
        collection_run_sync(now=timezone.now())
        assert len(deliverer.deliveries) == 1
        payment_record(claim=claim, amount=Decimal("1210.00"), on=DAY3)
        claim.refresh_from_db()
        rest = statement_balance(claim, at=DAY3)
        assert claim.status == "open"
        assert claim.balance == rest
        # Costs, then interest, then principal: what is left is principal.
        assert claim.due_costs == Decimal("0.00")
        assert claim.due_principal + claim.due_interest == rest > Decimal("40.00")
    with time_machine.travel(at(DAY15), tick=False):
        collection_run_sync(now=timezone.now())
    # The reminder for the rest went: "balance <= 0" did not cancel it.
    assert len(deliverer.deliveries) == 2
    second = Action.objects.get(claim=claim, step__kind="reminder")
    assert second.state == "done"


def test_paying_what_the_statement_says_closes_and_cancels(deliverer, claim):
    with time_machine.travel(at(DAY3), tick=False):
        payment_record(claim=claim, amount=statement_balance(claim, at=DAY3), on=DAY3)
        claim.refresh_from_db()
        assert claim.balance == Decimal("0.00")
        assert (claim.status, claim.closed_reason) == ("closed", "paid")
        collection_run_sync(now=timezone.now())
    assert deliverer.deliveries == []
    assert set(Action.objects.filter(claim=claim).values_list("state", flat=True)) == {
        "cancelled"
    }


def test_a_run_ahead_of_the_clock_stores_its_days_statement(deliverer, db):
    """``collect --at`` a later day (a simulation): a payment dated that day
    counts, and the figures are that day's, not the wall clock's."""
    today = timezone.localdate()
    creditor = f.CreditorFactory()
    claim = open_claim(creditor, f.DebtorFactory(creditor=creditor), due=today)
    ahead = today + timedelta(days=40)
    payment_record(
        claim=claim, amount=statement_balance(claim, at=ahead), on=ahead, today=ahead
    )
    claim.refresh_from_db()
    assert claim.figures_at == ahead
    assert (claim.balance, claim.status) == (Decimal("0.00"), "closed")
