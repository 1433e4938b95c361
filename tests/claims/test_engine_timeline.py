"""Time travel through 120 days of each default scenario (PostgreSQL).

GIVEN a claim due on D opened under each default scenario
WHEN the tick runs every day at 10:00 local time from D-5 to D+120
THEN exactly the expected messages go out on the expected days, once each.
"""

from datetime import date
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from claims.models import Action
from claims.models import Claim
from claims.services_run import collection_run_sync
from tests import factories as f
from tests.claims.engine_fixtures import at
from tests.claims.engine_fixtures import open_claim

pytestmark = pytest.mark.usefixtures("engine_seed")
D = date(2026, 3, 2)  # a Monday; DST starts on 29 March in the window


def run_days(deliverer, claim, days=120, start=-5):
    sent: list[tuple[int, str]] = []
    kinds = dict(Action.objects.filter(claim=claim).values_list("pk", "step__kind"))
    for n in range(start, days + 1):
        day = D + timedelta(days=n)
        before = len(deliverer.deliveries)
        with time_machine.travel(at(day), tick=False):
            collection_run_sync(now=timezone.now())
        for d in deliverer.deliveries[before:]:
            assert d.today == day
            sent += [(n, kinds[pk]) for pk in d.action_ids]
    return sent


@pytest.mark.parametrize(
    ("creditor_factory", "debtor_factory", "expected"),
    [
        (
            f.CreditorFactory,
            f.DebtorFactory,
            [(3, "first_reminder"), (15, "reminder"), (30, "formal_notice")],
        ),
        (
            f.CreditorFactory,
            f.ConsumerFactory,
            [(7, "first_reminder"), (30, "formal_notice")],
        ),
        (
            f.FrenchCreditorFactory,
            f.DebtorFactory,
            [(3, "first_reminder"), (15, "reminder"), (30, "formal_notice")],
        ),
        (
            f.FrenchCreditorFactory,
            f.ConsumerFactory,
            [(5, "first_reminder"), (18, "reminder"), (30, "formal_notice")],
        ),
    ],
    ids=["BE-B2B", "BE-B2C", "FR-B2B", "FR-B2C"],
)
def test_default_scenario_over_120_days(
    deliverer, creditor_factory, debtor_factory, expected
):
    # Opened on the invoice's date (1 March): an invoice is not owed, and the
    # statement does not count it, before it is issued.
    with time_machine.travel(at(D - timedelta(days=1)), tick=False):
        creditor = creditor_factory()
        claim = open_claim(creditor, debtor_factory(creditor=creditor), due=D)
    assert run_days(deliverer, claim) == expected
    claim.refresh_from_db()
    assert claim.amicable_exhausted_on == D + timedelta(days=45)
    assert claim.stage == "formal_notice"
    assert claim.formal_notice_sent_on == D + timedelta(days=30)
    assert claim.first_reminder_sent_on == D + timedelta(days=expected[0][0])
    assert set(Action.objects.filter(claim=claim).values_list("state", flat=True)) == {
        "done"
    }
    assert claim.next_action_on is None


def test_a_claim_opened_late_keeps_the_pace_of_its_scenario(deliverer):
    """Opened at D+40: every step is overdue, yet they go out one by one."""
    creditor = f.CreditorFactory()
    with time_machine.travel(at(D + timedelta(days=40)), tick=False):
        claim = open_claim(creditor, f.DebtorFactory(creditor=creditor), due=D)
    sent = run_days(deliverer, claim, start=40)
    assert sent == [(40, "first_reminder"), (52, "reminder"), (67, "formal_notice")]
    claim.refresh_from_db()
    assert claim.amicable_exhausted_on == D + timedelta(days=82)


def test_be_consumer_pause_then_first_reminder_then_pace(deliverer):
    """A promise until D+19 holds the free first reminder; the rest keeps its pace."""
    creditor = f.CreditorFactory()
    claim = open_claim(creditor, f.ConsumerFactory(creditor=creditor), due=D)
    Claim.objects.filter(pk=claim.pk).update(
        stage="paused", paused_until=D + timedelta(days=19), resume_stage="amicable"
    )
    sent = run_days(deliverer, claim, days=60)
    # reminder sent 13 days late → the notice (23 days later in the scenario) at D+43.
    assert sent == [(20, "first_reminder"), (43, "formal_notice")]


def test_be_consumer_nothing_before_the_end_of_the_waiting_period(deliverer):
    """Even if a step is due earlier, nothing follows the first reminder for 14 days.

    E-mailed at D+7 → period starts D+8 → notice allowed from D+22 (art. XIX.2 CDE).
    """
    creditor = f.CreditorFactory()
    claim = open_claim(creditor, f.ConsumerFactory(creditor=creditor), due=D)
    Action.objects.filter(claim=claim, step__kind="formal_notice").update(
        due_on=D + timedelta(days=9)
    )
    sent = run_days(deliverer, claim, days=40, start=0)
    assert sent == [(7, "first_reminder"), (22, "formal_notice")]
    held = Action.objects.get(claim=claim, step__kind="formal_notice")
    assert held.state == "done"
