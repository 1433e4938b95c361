"""Payment plans: exact split, missed instalment, services and the daily check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.engine.plans import plan_accept
from claims.engine.plans import plan_counter_propose
from claims.engine.plans import plan_decline
from claims.engine.plans import plan_propose
from claims.engine.plans import plan_request
from claims.engine.plans import plans_check
from claims.law.plans import InstalmentSpec
from claims.law.plans import add_months
from claims.law.plans import first_missed
from claims.law.plans import interest_stops_on
from claims.law.plans import split_amount
from claims.ledger.services import payment_record
from claims.models import Event
from claims.models import PaymentPlan
from claims.models import Stage
from tests import factories as f

D = date


def test_split_gives_the_cents_to_the_first_instalments():
    specs = split_amount(Decimal("100.00"), 3, first_due=D(2026, 1, 31))
    assert [s.amount for s in specs] == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    assert [s.due_on for s in specs] == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31)]


@given(
    st.integers(min_value=1, max_value=10**9).map(lambda c: Decimal(c) / 100),
    st.integers(min_value=1, max_value=60),
)
def test_split_always_sums_to_the_total(total, count):
    specs = split_amount(total, count, first_due=D(2026, 1, 1))
    assert sum(s.amount for s in specs) == total
    assert max(s.amount for s in specs) - min(s.amount for s in specs) <= Decimal(
        "0.01"
    )


def test_split_refuses_fractions_of_cents():
    with pytest.raises(ValueError, match="cents"):
        split_amount(Decimal("1.005"), 2, first_due=D(2026, 1, 1))


def test_add_months_clamps_and_crosses_years():
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 11, 15), 3) == D(2026, 2, 15)


def test_missed_only_after_the_grace_period():
    specs = [
        InstalmentSpec(D(2026, 1, 10), Decimal("50.00")),
        InstalmentSpec(D(2026, 2, 10), Decimal("50.00")),
    ]
    assert first_missed(specs, Decimal("0"), today=D(2026, 1, 17), grace_days=7) is None
    assert (
        first_missed(specs, Decimal("0"), today=D(2026, 1, 18), grace_days=7)
        == specs[0]
    )
    # partial payment: second instalment short by 0.01
    assert (
        first_missed(specs, Decimal("99.99"), today=D(2026, 2, 18), grace_days=7)
        == specs[1]
    )
    assert (
        first_missed(specs, Decimal("100.00"), today=D(2026, 9, 1), grace_days=7)
        is None
    )


def test_undecided_request_stops_interest_after_30_days():
    assert (
        interest_stops_on(requested_on=D(2026, 1, 1), decided_on=D(2026, 1, 31)) is None
    )
    assert interest_stops_on(requested_on=D(2026, 1, 1), decided_on=None) == D(
        2026, 1, 31
    )


@pytest.fixture
def claim(db):
    c = f.ClaimFactory()
    c.stage = Stage.FORMAL_NOTICE
    c.save(update_fields=["stage"])
    return c


def test_accepting_a_signed_plan_enters_the_plan_stage(claim):
    specs = split_amount(Decimal("1210.00"), 3, first_due=D(2026, 3, 1))
    plan = plan_propose(claim=claim, instalments=specs)
    assert plan.instalments.count() == 3
    plan_accept(plan=plan, today=D(2026, 2, 20), signed_by_debtor=True)
    claim.refresh_from_db()
    assert (claim.stage, claim.resume_stage, claim.has_debtor_writing) == (
        Stage.PAYMENT_PLAN,
        Stage.FORMAL_NOTICE,
        True,
    )
    with pytest.raises(Exception, match="déjà"):
        plan_decline(plan=plan)


def test_debtor_request_and_counter_proposal(claim):
    asked = plan_request(
        claim=claim,
        instalments=split_amount(Decimal("1210.00"), 12, first_due=D(2026, 3, 1)),
    )
    assert asked.status == PaymentPlan.Status.REQUESTED
    assert asked.requested_by_debtor
    counter = plan_counter_propose(
        plan=asked,
        instalments=split_amount(Decimal("1210.00"), 4, first_due=D(2026, 3, 1)),
    )
    asked.refresh_from_db()
    assert asked.status == PaymentPlan.Status.DECLINED
    assert counter.status == PaymentPlan.Status.PROPOSED
    assert counter.instalments.count() == 4
    assert Event.objects.filter(claim=claim, kind=Event.Kind.PLAN).count() == 2


def test_plans_check_breaks_a_missed_plan_and_resumes(
    claim, django_assert_max_num_queries
):
    plan = plan_propose(
        claim=claim,
        instalments=split_amount(Decimal("1000.00"), 2, first_due=D(2026, 3, 1)),
    )
    plan_accept(plan=plan, today=D(2026, 2, 20))
    other = f.ClaimFactory(creditor=claim.creditor)
    ok = plan_propose(
        claim=other,
        instalments=split_amount(Decimal("1210.00"), 2, first_due=D(2026, 3, 1)),
    )
    plan_accept(plan=ok, today=D(2026, 2, 20))
    payment_record(claim=other, amount=Decimal("605.00"), on=D(2026, 3, 1))
    payment_record(claim=claim, amount=Decimal("499.99"), on=D(2026, 3, 1))
    assert plans_check(today=D(2026, 3, 8)) == {"broken": [], "completed": []}
    # resuming goes through the state machine, which re-plans (constant count)
    with django_assert_max_num_queries(12):
        result = plans_check(today=D(2026, 3, 9))
    assert result == {"broken": [plan.pk], "completed": []}
    claim.refresh_from_db()
    other.refresh_from_db()
    assert (claim.stage, claim.resume_stage) == (Stage.FORMAL_NOTICE, "")
    assert other.stage == Stage.PAYMENT_PLAN
    ev = Event.objects.filter(claim=claim, kind=Event.Kind.PLAN).first()
    assert "01/03/2026" in ev.message
    assert ev.data["paid"] == "499.99"
    assert plans_check(today=D(2026, 3, 10)) == {"broken": [], "completed": []}
