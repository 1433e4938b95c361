"""Manual controls, stage transitions, judicial file and route advice."""

from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from claims.engine.collection import action_skip
from claims.engine.collection import call_record
from claims.engine.collection import claim_close
from claims.engine.collection import claim_transition
from claims.engine.collection import escalate_now
from claims.engine.collection import judicial_handoff
from claims.engine.collection import judicial_update
from claims.engine.collection import send_next_now
from claims.engine.stages import TransitionError
from claims.judicial.routes import route_advice
from claims.law import routes as r
from claims.ledger.services import payment_record
from claims.models import Action
from claims.models import Event
from tests import factories as f
from tests.claims.engine_fixtures import open_claim
from tests.figures import statement_balance

pytestmark = pytest.mark.usefixtures("engine_seed")
D = date(2026, 3, 2)


@pytest.fixture
def claim(db):
    creditor = f.CreditorFactory()
    return open_claim(creditor, f.DebtorFactory(creditor=creditor), due=D)


def test_transition_writes_a_stage_event_with_who_and_why(claim):
    user = f.UserFactory(username="alice")
    claim_transition(
        claim_id=claim.pk,
        to="formal_notice",
        actor=user,
        reason="Relances sans effet",
        expected_stage="amicable",
        today=D,
    )
    event = Event.objects.filter(claim=claim, kind="stage").get()
    assert event.actor_label == "alice"
    assert event.data["before"] == "amicable"
    assert event.data["after"] == "formal_notice"
    assert event.data["reason"] == "Relances sans effet"


def test_illegal_or_stale_transitions_are_refused_and_change_nothing(claim):
    with pytest.raises(TransitionError, match="Passage interdit"):
        claim_transition(
            claim_id=claim.pk,
            to="amicable",
            actor=None,
            reason="",
            expected_stage="judicial",
        )
    with pytest.raises(TransitionError, match="changé entre-temps"):
        claim_transition(
            claim_id=claim.pk,
            to="judicial",
            actor=None,
            reason="",
            expected_stage="formal_notice",
        )
    claim.refresh_from_db()
    assert claim.stage == "amicable"
    assert not Event.objects.filter(claim=claim, kind="stage").exists()


def test_send_next_now_sends_the_first_step_today(deliverer, claim):
    out = send_next_now(claim_id=claim.pk, actor=None, today=D)
    assert len(out.done) == 1
    assert Action.objects.get(pk=out.done[0]).step.kind == "first_reminder"
    assert deliverer.deliveries[0].today == D


def test_skip_a_step(claim):
    action = Action.objects.get(claim=claim, step__kind="first_reminder")
    assert action_skip(action_id=action.pk, actor=None, reason="Client appelé")
    assert not action_skip(action_id=action.pk, actor=None, reason="again")
    claim.refresh_from_db()
    assert claim.next_action_on == D + timedelta(days=15)


def test_call_steps_are_done_by_a_person(claim):
    action = Action.objects.get(claim=claim, step__kind="first_reminder")
    assert not call_record(action_id=action.pk, actor=None, note="not a call step")


def test_escalate_now_ends_the_amicable_path_and_shows_the_advice(claim):
    escalate_now(
        claim_id=claim.pk,
        actor=None,
        reason="Client injoignable",
        today=D + timedelta(days=10),
    )
    claim.refresh_from_db()
    assert claim.amicable_exhausted_on == D + timedelta(days=10)
    states = dict(Action.objects.filter(claim=claim).values_list("step__kind", "state"))
    assert states == {
        "first_reminder": "skipped",
        "reminder": "skipped",
        "formal_notice": "skipped",
        "escalate": "done",
    }
    advice = route_advice(claim=claim, today=D + timedelta(days=10))
    assert advice.prominent
    assert advice.best.route == r.BE_UNCONTESTED
    assert advice.best.cost_estimated == Decimal("550.00")  # seeded RouteCost rows


def test_close_as_written_off_cancels_planned_actions(claim):
    claim_close(claim_id=claim.pk, closed_reason="written_off", actor=None, today=D)
    claim.refresh_from_db()
    assert (claim.status, claim.stage, claim.closed_reason) == (
        "closed",
        "closed",
        "written_off",
    )
    assert set(Action.objects.filter(claim=claim).values_list("state", flat=True)) == {
        "cancelled"
    }


def test_full_payment_closes_as_paid(claim):
    payment_record(claim=claim, amount=Decimal("1000.00"), on=D)
    claim.refresh_from_db()
    assert claim.status == "open"
    # The rest of what the statement says is due (interest and costs included).
    rest = statement_balance(claim, at=D + timedelta(days=1))
    payment_record(claim=claim, amount=rest, on=D + timedelta(days=1))
    claim.refresh_from_db()
    assert (claim.status, claim.closed_reason, claim.closed_on) == (
        "closed",
        "paid",
        D + timedelta(days=1),
    )


def test_judicial_handoff_and_updates_are_on_the_timeline(claim):
    case = judicial_handoff(
        claim_id=claim.pk,
        route=r.BE_UNCONTESTED,
        actor=None,
        handler_name="Me Huissier",
        on=D + timedelta(days=50),
    )
    claim.refresh_from_db()
    assert claim.stage == "judicial"
    assert not Action.objects.filter(claim=claim, state="planned").exists()
    judicial_update(
        claim_id=claim.pk,
        actor=None,
        served_on=D + timedelta(days=60),
        costs_advanced=Decimal("250.00"),
    )
    case.refresh_from_db()
    assert case.costs_advanced == Decimal("250.00")
    event = Event.objects.filter(claim=claim, kind="judicial").get()
    assert event.data["after"]["costs_advanced"] == "250.00"
    assert event.data["before"]["costs_advanced"] == "0.00"
    with pytest.raises(ValidationError):
        judicial_update(claim_id=claim.pk, actor=None, balance=Decimal(0))
