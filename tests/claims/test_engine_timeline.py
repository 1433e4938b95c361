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

from claims.engine.run import collection_run_sync
from claims.models import Action
from claims.models import Claim
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
    ("creditor_factory", "debtor_factory", "expected", "exhausted"),
    [
        (
            f.CreditorFactory,
            f.DebtorFactory,
            [(3, "first_reminder"), (15, "reminder"), (30, "formal_notice")],
            46,
        ),
        (
            f.CreditorFactory,
            f.ConsumerFactory,
            [(7, "first_reminder"), (30, "formal_notice")],
            46,
        ),
        (
            f.FrenchCreditorFactory,
            f.DebtorFactory,
            [(3, "first_reminder"), (15, "reminder"), (30, "formal_notice")],
            45,
        ),
        (
            f.FrenchCreditorFactory,
            f.ConsumerFactory,
            # D+5 is Saturday 7 March: sent Monday; reminder 1's deadline (Sat
            # 21 → Mon 23 Mar) then reminder 2's (Sat 4 Apr, Easter Monday →
            # Tue 7 Apr) push the notice to D+37.
            [(7, "first_reminder"), (22, "reminder"), (37, "formal_notice")],
            46,
        ),
    ],
    ids=["BE-B2B", "BE-B2C", "FR-B2B", "FR-B2C"],
)
def test_default_scenario_over_120_days(
    deliverer, creditor_factory, debtor_factory, expected, exhausted
):
    """Each step waits for the previous message's deadline: the Belgian notice
    gives 15 days (to Thu 16 Apr), so the escalation comes at D+46, not D+45;
    the French one gives 8 days. Send days skip weekends and holidays."""
    with time_machine.travel(at(D - timedelta(days=20)), tick=False):
        creditor = creditor_factory()
        claim = open_claim(creditor, debtor_factory(creditor=creditor), due=D)
    assert run_days(deliverer, claim) == expected
    notice_day = {k: n for n, k in expected}["formal_notice"]
    claim.refresh_from_db()
    assert claim.amicable_exhausted_on == D + timedelta(days=exhausted)
    notice = Action.objects.get(claim=claim, step__kind="formal_notice")
    notice_days = {"BE": 15, "FR": 8}[creditor.country]
    assert notice.deadline_on == D + timedelta(days=notice_day + notice_days)
    assert claim.amicable_exhausted_on > notice.deadline_on
    assert claim.reply_by == notice.deadline_on
    assert claim.stage == "formal_notice"
    assert claim.formal_notice_sent_on == D + timedelta(days=notice_day)
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
    # D+40 is Saturday 11 April: reminder 1 goes on Monday (D+42) and gives
    # 10 days (to Thu 23 Apr); reminder 2 the day after (D+53) gives 14 days
    # (to Fri 8 May); the notice waits for Monday 11 May (D+70).
    assert sent == [(42, "first_reminder"), (53, "reminder"), (70, "formal_notice")]
    claim.refresh_from_db()
    # The escalation comes the day after the notice's deadline (D+86).
    # Notice of Mon 11 May + 15 days = Tue 26 May (Whit Monday is the 25th).
    assert claim.reply_by == date(2026, 5, 26)
    assert claim.amicable_exhausted_on == D + timedelta(days=86)


def test_be_consumer_pause_then_first_reminder_then_pace(deliverer):
    """A promise until D+19 holds the free first reminder; the rest keeps its pace."""
    creditor = f.CreditorFactory()
    claim = open_claim(creditor, f.ConsumerFactory(creditor=creditor), due=D)
    Claim.objects.filter(pk=claim.pk).update(
        stage="paused", paused_until=D + timedelta(days=19), resume_stage="amicable"
    )
    sent = run_days(deliverer, claim, days=60)
    # D+20 is Sunday 22 March: the reminder goes on Monday (D+21); the notice
    # keeps its pace (23 days after the reminder, D+43) after the 14 days.
    assert sent == [(21, "first_reminder"), (43, "formal_notice")]


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
