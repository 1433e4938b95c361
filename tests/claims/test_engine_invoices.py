"""Invoice by invoice: an invoice is demanded, and charged, only once it is due.

GIVEN a claim with two invoices, the second falling due three weeks after the first
WHEN the tick runs every day for 60 days
THEN no message demands the second invoice before its due date, nothing is
charged on it before the law lets charges start for it, and a Belgian consumer
gets, for it, its own free first reminder and 14 days (art. XIX.2 CDE,
legal-brief §2.1–2.2).
"""

from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest

from claims.engine.run import collection_run_sync
from claims.ledger.services import InvoiceData
from claims.ledger.services import claim_open
from claims.ledger.statements import claim_statement
from claims.models import Action
from tests import factories as f
from tests.claims.engine_fixtures import at

pytestmark = pytest.mark.usefixtures("engine_seed")
D = date(2026, 3, 2)
LATER = D + timedelta(days=21)  # Mon 23 Mar 2026


def _two_invoice_claim(creditor, debtor):
    return claim_open(
        creditor=creditor,
        debtor=debtor,
        invoices=[
            InvoiceData(
                number="F-1",
                issue_date=date(2026, 2, 1),
                due_date=D,
                amount=Decimal("600.00"),
            ),
            InvoiceData(
                number="F-2",
                issue_date=date(2026, 2, 20),
                due_date=LATER,
                amount=Decimal("400.00"),
            ),
        ],
    )


def _run(claim, days=60):
    for n in range(days + 1):
        collection_run_sync(now=at(D + timedelta(days=n)))


def _demanded(claim):
    return {
        a.step.kind: (a.done_at is not None, sorted(i.number for i in a.invoices.all()))
        for a in Action.objects.filter(claim=claim, state="done").select_related("step")
    }


def _interest_on(statement, number):
    return [p for p in statement.interest_periods if p.invoice == number]


def test_be_consumer_second_invoice_gets_its_own_first_reminder_and_14_days(
    deliverer,
):
    creditor = f.CreditorFactory(penalty_clause_percent=Decimal("10"))
    claim = _two_invoice_claim(creditor, f.ConsumerFactory(creditor=creditor))
    _run(claim)
    demanded = _demanded(claim)
    # The free first reminder (Mon 9 Mar) demands only F-1: F-2 is not due.
    assert demanded["first_reminder"][1] == ["F-1"]
    # The notice (Wed 1 Apr) demands both; for F-2 it is its first demand.
    assert demanded["formal_notice"][1] == ["F-1", "F-2"]
    f1, f2 = claim.invoices.order_by("number")
    assert (f1.first_reminder_sent_on, f2.first_reminder_sent_on) == (
        date(2026, 3, 9),
        date(2026, 4, 1),
    )
    # F-2's own period: posted Wed 1 Apr → starts Tue 7 Apr (Easter Monday
    # skipped) → charges from Tue 21 Apr at the earliest (not the 24 Mar its
    # due date, nor the 24 Mar the claim's first reminder would give).
    before = claim_statement(claim=claim, at=date(2026, 4, 20))
    assert _interest_on(before, "F-2") == []
    assert _interest_on(before, "F-1") != []
    after = claim_statement(claim=claim, at=date(2026, 5, 1))
    lines = _interest_on(after, "F-2")
    assert lines
    assert min(p.start for p in lines) >= date(2026, 4, 2)
    # The Book XIX lump sum, charged once F-1's period ended, is on F-1 only.
    assert sum(fee.amount for fee in before.fees) == Decimal("60.00")  # 10 % of 600


@pytest.mark.parametrize("factory", [f.CreditorFactory, f.FrenchCreditorFactory])
def test_b2b_second_invoice_is_not_demanded_nor_charged_before_it_is_due(
    deliverer, factory
):
    creditor = factory()
    claim = _two_invoice_claim(creditor, f.DebtorFactory(creditor=creditor))
    _run(claim, days=35)
    demanded = _demanded(claim)
    assert demanded["first_reminder"][1] == ["F-1"]  # Thu 5 Mar
    assert demanded["reminder"][1] == ["F-1"]  # Tue 17 Mar, F-2 due 23 Mar
    assert demanded["formal_notice"][1] == ["F-1", "F-2"]  # Wed 1 Apr
    # What the reminder of 17 Mar showed: F-1 only, nothing charged on F-2.
    letter = claim_statement(claim=claim, at=date(2026, 3, 17), demanded_only=True)
    assert [i.number for i in letter.invoices] == ["F-1"]
    assert letter.principal_due == Decimal("600.00")
    full = claim_statement(claim=claim, at=LATER)
    assert _interest_on(full, "F-2") == []
    assert not [fee for fee in full.fees if fee.invoice == "F-2"]
    later = claim_statement(claim=claim, at=LATER + timedelta(days=5))
    assert min(p.start for p in _interest_on(later, "F-2")) == LATER + timedelta(days=1)
