"""The stage follows what happens, through one state machine (claims/engine/stages.py).

GIVEN claims under the default Belgian B2B scenario (due D, reminders D+3 and
D+15, formal notice D+30, escalation D+45)
WHEN a formal notice goes out, a dispute or a plan comes in, or a person moves
the stage by hand
THEN the stage, the planned steps and the claim page agree.
"""

from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from claims.engine.collection import claim_transition
from claims.engine.collection import dispute_open
from claims.engine.plans import plan_accept
from claims.engine.plans import plan_propose
from claims.engine.run import collection_run_sync
from claims.law.plans import InstalmentSpec
from claims.models import Action
from claims.models import Claim
from claims.models import Event
from claims.models import ScenarioStep
from tests import factories as f
from tests.claims.engine_fixtures import at
from tests.claims.engine_fixtures import open_claim

pytestmark = pytest.mark.usefixtures("engine_seed")
D = date(2026, 3, 2)


@pytest.fixture
def claim(db):
    creditor = f.CreditorFactory()
    return open_claim(creditor, f.DebtorFactory(creditor=creditor), due=D)


def _states(claim):
    return dict(Action.objects.filter(claim=claim).values_list("step__kind", "state"))


def test_sending_the_formal_notice_moves_the_stage_and_no_second_stays_planned(
    deliverer, claim
):
    # A creditor's scenario with a second formal notice (say by registered post).
    second = ScenarioStep.objects.create(
        scenario=claim.scenario,
        position=9,
        kind="formal_notice",
        offset_days=40,
        channel="registered",
        template="formal_notice",
    )
    Action.objects.create(
        creditor=claim.creditor,
        claim=claim,
        debtor=claim.debtor,
        step=second,
        due_on=D + timedelta(days=40),
    )
    Action.objects.filter(
        claim=claim, step__kind__in=["first_reminder", "reminder"]
    ).update(state="done")
    collection_run_sync(now=at(D + timedelta(days=30)))
    claim.refresh_from_db()
    assert claim.stage == "formal_notice"
    assert claim.formal_notice_sent_on == D + timedelta(days=30)
    notices = Action.objects.filter(claim=claim, step__kind="formal_notice")
    assert sorted(notices.values_list("state", flat=True)) == ["done", "skipped"]
    assert notices.get(step=second).reason == "Mise en demeure déjà envoyée"
    assert Event.objects.filter(
        claim=claim, kind="stage", data__after="formal_notice"
    ).exists()
    assert Event.objects.filter(claim=claim, kind="action_skipped").exists()


def test_a_first_reminder_is_never_sent_at_the_formal_notice_stage(deliverer, claim):
    # Demo-like data: a claim recorded at the formal-notice stage with planned
    # steps dated months ago that never ran.
    Claim.objects.filter(pk=claim.pk).update(stage="formal_notice")
    collection_run_sync(now=at(D + timedelta(days=31)))
    sent = {pk for d in deliverer.deliveries for pk in d.action_ids}
    first = Action.objects.get(claim=claim, step__kind="first_reminder")
    assert first.pk not in sent
    assert first.state == "skipped"
    assert "Mise en demeure" in first.reason
    assert Event.objects.filter(
        claim=claim, kind="action_skipped", data__action=str(first.code)
    ).exists()


def test_a_manual_move_to_formal_notice_replans_from_today(claim):
    today = D + timedelta(days=5)
    claim_transition(
        claim_id=claim.pk,
        to="formal_notice",
        actor=None,
        reason="Client injoignable",
        expected_stage="amicable",
        today=today,
    )
    rows = {
        a.step.kind: (a.state, a.due_on)
        for a in Action.objects.filter(claim=claim).select_related("step")
    }
    assert rows["first_reminder"][0] == "skipped"
    assert rows["reminder"][0] == "skipped"
    # later steps re-dated from today, keeping their 15 days between them
    assert rows["formal_notice"] == ("planned", today)
    assert rows["escalate"] == ("planned", today + timedelta(days=15))
    claim.refresh_from_db()
    assert claim.next_action_on == today


def test_plan_accepted_on_a_disputed_claim_moves_it_to_the_plan_stage(
    client, deliverer, claim
):
    dispute_open(claim_id=claim.pk, reason="Trop cher", actor=None, today=D)
    plan = plan_propose(
        claim=claim,
        instalments=[
            InstalmentSpec(D + timedelta(days=30), Decimal("605.00")),
            InstalmentSpec(D + timedelta(days=60), Decimal("605.00")),
        ],
    )
    plan_accept(plan=plan, today=D + timedelta(days=10))
    claim.refresh_from_db()
    assert claim.stage == "payment_plan"
    assert claim.resume_stage == "amicable"  # where it goes if the plan breaks
    reasons = set(
        Action.objects.filter(claim=claim, state="planned").values_list(
            "reason", flat=True
        )
    )
    assert reasons == {"Suspendue : plan d'apurement en cours"}
    collection_run_sync(now=at(D + timedelta(days=31)))
    assert deliverer.deliveries == []
    # the claim page shows the plan and the held steps
    user = f.UserFactory()
    f.MembershipFactory(user=user, creditor=claim.creditor, role="owner")
    client.force_login(user)
    page = client.get(reverse("claims:claim_detail", kwargs={"code": claim.code}))
    html = page.content.decode()
    assert "Plan d&#x27;apurement" in html or "Plan d'apurement" in html
    assert "01/04/2026" in html  # next instalment due
    assert "suspendue" in html


def test_the_claim_page_shows_the_deadline_given_and_the_held_steps(
    client, deliverer, claim
):
    collection_run_sync(now=at(D + timedelta(days=3)))
    dispute_open(claim_id=claim.pk, reason="Marchandise abîmée", actor=None, today=D)
    user = f.UserFactory()
    f.MembershipFactory(user=user, creditor=claim.creditor, role="owner")
    client.force_login(user)
    with time_machine.travel(at(D + timedelta(days=4)), tick=False):
        page = client.get(reverse("claims:claim_detail", kwargs={"code": claim.code}))
    html = page.content.decode()
    assert "16/03/2026" in html  # reminder 1 of Thu 5 Mar gives 10 days (→ Mon 16)
    assert "Suspendue : créance contestée" in html
