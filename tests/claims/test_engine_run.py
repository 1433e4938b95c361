"""The tick and delivery: exactly once, never after payment, dispute or promise."""

import threading
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from claims.engine.collection import dispute_open
from claims.engine.collection import dispute_resolve
from claims.engine.collection import pause_until
from claims.engine.execution import DeliveryResult
from claims.engine.run import actions_deliver
from claims.engine.run import actions_requeue_stale
from claims.engine.run import collection_enqueue
from claims.engine.run import collection_plan
from claims.engine.run import collection_run_sync
from claims.engine.run import creditors_due
from claims.engine.tasks import TransientDeliveryError
from claims.engine.tasks import deliver_batch_task
from claims.engine.tasks import deliver_debtor_actions_task
from claims.ledger.services import payment_record
from claims.models import Action
from claims.models import Claim
from claims.models import Event
from tests import factories as f
from tests.claims.engine_fixtures import at
from tests.claims.engine_fixtures import open_claim
from tests.claims.engine_fixtures import postgres_only
from tests.figures import statement_balance

pytestmark = pytest.mark.usefixtures("engine_seed")
D = date(2026, 3, 2)
DAY3 = D + timedelta(days=3)  # BE-B2B first reminder


@pytest.fixture
def claim(db):
    creditor = f.CreditorFactory()
    return open_claim(creditor, f.DebtorFactory(creditor=creditor), due=D)


def test_running_the_tick_twice_sends_once(deliverer, claim):
    collection_run_sync(now=at(DAY3))
    collection_run_sync(now=at(DAY3, 11))
    assert len(deliverer.deliveries) == 1
    first = Action.objects.get(claim=claim, step__kind="first_reminder")
    assert first.state == "done"
    assert first.attempts == 1
    claim.refresh_from_db()
    assert claim.last_contact_on == DAY3
    assert claim.first_reminder_sent_on == DAY3
    assert claim.first_reminder_channel == "email"
    assert Event.objects.filter(claim=claim, kind="action_done").count() == 1


def test_delivering_the_same_ids_twice_sends_once(deliverer, claim):
    plan = collection_plan(now=at(DAY3))
    ((c, d, ids, day),) = plan.deliveries
    actions_deliver(creditor_id=c, debtor_id=d, action_ids=ids, today=day)
    again = actions_deliver(creditor_id=c, debtor_id=d, action_ids=ids, today=day)
    assert len(deliverer.deliveries) == 1
    assert again.done == []


def test_nothing_before_the_send_hour_in_the_creditors_time_zone(deliverer, claim):
    collection_run_sync(now=at(DAY3, 8))
    assert deliverer.deliveries == []
    collection_run_sync(now=at(DAY3, 9))
    assert len(deliverer.deliveries) == 1


def test_a_payment_between_selection_and_execution_stops_the_message(deliverer, claim):
    plan = collection_plan(now=at(DAY3))
    # Everything the statement says is due (principal, interest, costs).
    due = statement_balance(claim, at=DAY3)
    payment_record(claim=claim, amount=due, on=DAY3)
    ((c, d, ids, day),) = plan.deliveries
    out = actions_deliver(creditor_id=c, debtor_id=d, action_ids=ids, today=day)
    assert deliverer.deliveries == []
    assert out.done == []
    claim.refresh_from_db()
    assert claim.status == "closed"
    assert claim.closed_reason == "paid"
    assert set(Action.objects.filter(claim=claim).values_list("state", flat=True)) == {
        "cancelled"
    }
    assert claim.next_action_on is None


@postgres_only
def test_a_payment_during_delivery_waits_for_the_lock(deliverer, claim):
    """The claim row is locked while sending: the payment sees the message as sent."""
    plan = collection_plan(now=at(DAY3))
    ((c, d, ids, day),) = plan.deliveries
    locked = []

    def check_lock(delivery):
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class t ON t.oid = l.relation "
                "WHERE t.relname = 'claims_claim' AND l.mode = 'RowShareLock'"
            )
            locked.append(cur.fetchone()[0])

    deliverer.before = check_lock
    actions_deliver(creditor_id=c, debtor_id=d, action_ids=ids, today=day)
    assert locked == [1]


def test_partial_payment_does_not_stop_collection(deliverer, claim):
    payment_record(claim=claim, amount=Decimal("10.00"), on=D)
    collection_run_sync(now=at(DAY3))
    assert len(deliverer.deliveries) == 1


def test_a_dispute_stops_the_next_steps_until_resolved(deliverer, claim):
    collection_run_sync(now=at(DAY3))
    dispute = dispute_open(claim_id=claim.pk, reason="Marchandise abîmée", actor=None)
    for n in range(4, 40):
        collection_run_sync(now=at(D + timedelta(days=n)))
    assert len(deliverer.deliveries) == 1
    planned = Action.objects.filter(claim=claim, state="planned")
    # every planned step is held, with the reason shown on the claim page
    assert {a.reason for a in planned} == {"Suspendue : créance contestée"}
    dispute_resolve(
        dispute_id=dispute.pk,
        status="rejected",
        answer="Livrée intacte",
        actor=None,
        today=D + timedelta(days=40),
    )
    claim.refresh_from_db()
    assert claim.stage == "amicable"
    # steps resume from the day of the decision, keeping their distance (D+15 →
    # D+40, the notice 15 days after it, the escalation 15 days later)
    assert sorted(
        (a.step.kind, a.due_on - D, a.reason) for a in planned.select_related("step")
    ) == [
        ("escalate", timedelta(days=70), ""),
        ("formal_notice", timedelta(days=55), ""),
        ("reminder", timedelta(days=40), ""),
    ]
    collection_run_sync(now=at(D + timedelta(days=40)))
    assert len(deliverer.deliveries) == 1  # Sat 11 Apr: no letter is posted
    collection_run_sync(now=at(D + timedelta(days=42)))
    assert len(deliverer.deliveries) == 2
    assert deliverer.deliveries[1].today == D + timedelta(days=42)


def test_a_promise_to_pay_pauses_until_its_date(deliverer, claim):
    collection_run_sync(now=at(DAY3))
    pause_until(
        claim_id=claim.pk,
        until=D + timedelta(days=19),
        actor=None,
        reason="",
        today=DAY3,
    )
    for n in range(4, 20):
        collection_run_sync(now=at(D + timedelta(days=n)))
    # a second promise, made on D+19, moves the end of the pause
    pause_until(
        claim_id=claim.pk,
        until=D + timedelta(days=25),
        actor=None,
        reason="",
        today=D + timedelta(days=19),
    )
    for n in range(20, 26):
        collection_run_sync(now=at(D + timedelta(days=n)))
    assert len(deliverer.deliveries) == 1
    # D+26 is Saturday 28 March: the letter of the reminder waits for Monday.
    collection_run_sync(now=at(D + timedelta(days=26)))
    collection_run_sync(now=at(D + timedelta(days=27)))
    assert len(deliverer.deliveries) == 1
    collection_run_sync(now=at(D + timedelta(days=28)))
    assert len(deliverer.deliveries) == 2
    claim.refresh_from_db()
    assert claim.stage == "amicable"
    assert claim.paused_until is None


def test_a_debtor_gets_one_message_listing_all_its_due_claims(deliverer):
    creditor = f.CreditorFactory()
    debtor = f.DebtorFactory(creditor=creditor)
    a = open_claim(creditor, debtor, due=D, n=1)
    b = open_claim(creditor, debtor, due=D, n=2)
    other = open_claim(creditor, f.DebtorFactory(creditor=creditor), due=D)
    collection_run_sync(now=at(DAY3))
    assert len(deliverer.deliveries) == 2
    mine = next(x for x in deliverer.deliveries if x.debtor_id == debtor.pk)
    assert set(mine.action_ids) == set(
        Action.objects.filter(
            claim__in=[a, b], step__kind="first_reminder"
        ).values_list("pk", flat=True)
    )
    assert other.pk not in {
        Action.objects.get(pk=pk).claim_id for pk in mine.action_ids
    }


def test_a_blocked_debtor_is_skipped_with_the_reason(deliverer, claim):
    claim.debtor.is_insolvent = True
    claim.debtor.save()
    collection_run_sync(now=at(DAY3))
    assert deliverer.deliveries == []
    action = Action.objects.get(claim=claim, step__kind="first_reminder")
    assert action.state == "skipped"
    assert "insolvable" in action.reason


def test_a_transient_failure_is_visible_and_retried(deliverer, claim):
    deliverer.fail = DeliveryResult(delivered=False, error="SMTP 451 try later")
    plan = collection_plan(now=at(DAY3))
    ((c, d, ids, day),) = plan.deliveries
    with pytest.raises(TransientDeliveryError):
        deliver_debtor_actions_task.run(c, d, ids, day.isoformat())
    action = Action.objects.get(pk=ids[0])
    assert (action.state, action.reason, action.attempts) == (
        "planned",
        "SMTP 451 try later",
        1,
    )
    assert Event.objects.filter(claim=claim, kind="action_failed").count() == 1
    deliverer.fail = None
    deliver_debtor_actions_task.run(c, d, ids, day.isoformat())
    action.refresh_from_db()
    assert (action.state, action.attempts) == ("done", 2)


def test_a_permanent_failure_marks_the_action_failed(deliverer, claim):
    deliverer.fail = DeliveryResult(
        delivered=False, error="550 no such user", permanent=True
    )
    collection_run_sync(now=at(DAY3))
    action = Action.objects.get(claim=claim, step__kind="first_reminder")
    assert (action.state, action.reason) == ("failed", "550 no such user")


def test_stale_running_actions_are_requeued(claim):
    action = Action.objects.get(claim=claim, step__kind="first_reminder")
    Action.objects.filter(pk=action.pk).update(
        state="running", started_at=timezone.now() - timedelta(hours=1)
    )
    Action.objects.filter(claim=claim, step__kind="reminder").update(
        state="running", started_at=timezone.now()
    )
    assert actions_requeue_stale(now=timezone.now()) == 1
    action.refresh_from_db()
    assert action.state == "planned"


def test_send_hour_follows_daylight_saving_time():
    """Brussels switches to summer time on Sun 29 Mar 2026: 9:00 local moves in UTC."""
    creditor = f.CreditorFactory(send_hour=9)
    utc = ZoneInfo("UTC")
    assert creditor.pk not in creditors_due(
        now=datetime(2026, 3, 28, 7, 59, tzinfo=utc)
    )
    assert creditors_due(now=datetime(2026, 3, 28, 8, 0, tzinfo=utc))[
        creditor.pk
    ] == date(2026, 3, 28)
    assert creditors_due(now=datetime(2026, 3, 30, 7, 0, tzinfo=utc))[
        creditor.pk
    ] == date(2026, 3, 30)
    # 23:30 UTC on the 29th is already the 30th in Brussels, but before 9:00.
    assert creditor.pk not in creditors_due(
        now=datetime(2026, 3, 29, 23, 30, tzinfo=utc)
    )


def test_dst_moves_nothing_by_a_day(deliverer):
    creditor = f.CreditorFactory(send_hour=9)
    claim = open_claim(
        creditor, f.DebtorFactory(creditor=creditor), due=date(2026, 3, 27)
    )
    utc = ZoneInfo("UTC")
    # 27 Mar + 3 = 30 Mar (first day of summer time). Late on the 29th UTC: nothing.
    collection_run_sync(now=datetime(2026, 3, 29, 23, 45, tzinfo=utc))
    assert deliverer.deliveries == []
    collection_run_sync(now=datetime(2026, 3, 30, 7, 0, tzinfo=utc))
    assert [d.today for d in deliverer.deliveries] == [date(2026, 3, 30)]
    assert Action.objects.get(claim=claim, step__kind="first_reminder").state == "done"


def test_the_tick_enqueues_one_task_per_batch_of_debtors_after_commit(
    django_capture_on_commit_callbacks, claim
):
    with (
        mock.patch.object(deliver_batch_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        assert collection_enqueue(now=at(DAY3)) == 1
        delay.assert_not_called()
    assert len(callbacks) == 1
    action = Action.objects.get(claim=claim, step__kind="first_reminder")
    delay.assert_called_once_with(
        [[claim.creditor_id, claim.debtor_id, [action.pk], "2026-03-05"]]
    )


def _claims(n):
    creditor = f.CreditorFactory()
    debtors = f.DebtorFactory.create_batch(5, creditor=creditor)
    Claim.objects.bulk_create(
        Claim(
            creditor=creditor,
            debtor=debtors[i % 5],
            reference=f"B-{i}",
            principal=Decimal("100.00"),
            balance=Decimal("100.00"),
            oldest_due_date=D,
        )
        for i in range(n)
    )


@pytest.mark.parametrize("n", [10, 1000])
def test_tick_query_count_does_not_grow_with_claims(
    django_assert_num_queries, settings, n
):
    settings.COLLECTION_BATCH_SIZE = 2  # 5 debtors: 3 batches
    _claims(n)
    # 1 savepoint + creditors + unplanned claims (subquery) + scenarios
    # + scenario UPDATE + steps + INSERT … SELECT actions + next_action_on
    # + paused to resume + active plans to check + stale running + due actions
    # + the plans' notices (active plans, claims paid in the last week)
    # + release savepoint
    with (
        mock.patch.object(deliver_batch_task, "delay_on_commit") as enqueue,
        django_assert_num_queries(15),
    ):
        assert collection_enqueue(now=at(DAY3)) == 5
    assert enqueue.call_count == 3
    assert [len(call.args[0]) for call in enqueue.call_args_list] == [2, 2, 1]


def test_collect_command_dry_run_changes_nothing(deliverer, claim, capsys):
    call_command("collect", "--at", "2026-03-05", "--dry-run")
    out = capsys.readouterr().out
    assert (
        f"would deliver 2026-03-05 creditor={claim.creditor_id} debtor={claim.debtor_id}"
        in out
    )
    assert deliverer.deliveries == []
    call_command("collect", "--at", "2026-03-05", "--creditor", str(claim.creditor_id))
    assert len(deliverer.deliveries) == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_once(deliverer, engine_seed):
    creditor = f.CreditorFactory()
    claim = open_claim(creditor, f.DebtorFactory(creditor=creditor), due=D)
    plan = collection_plan(now=at(DAY3))
    ((c, d, ids, day),) = plan.deliveries
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            actions_deliver(creditor_id=c, debtor_id=d, action_ids=ids, today=day)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(deliverer.deliveries) == 1
    assert Action.objects.get(claim=claim, step__kind="first_reminder").state == "done"


def test_delivery_task_retries_transient_errors_with_backoff():
    from django.db import OperationalError

    for task in (deliver_debtor_actions_task, deliver_batch_task):
        assert OperationalError in task.autoretry_for
        assert TransientDeliveryError in task.autoretry_for
        assert (task.max_retries, task.retry_backoff, task.retry_jitter) == (
            5,
            True,
            True,
        )


def test_collection_tick_task_enqueues_after_commit(
    django_capture_on_commit_callbacks, claim
):
    from claims.engine.tasks import collection_tick

    with (
        time_machine.travel(at(DAY3), tick=False),
        mock.patch.object(deliver_batch_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert collection_tick.run() == 1
    assert delay.call_count == 1
