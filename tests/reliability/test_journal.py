"""The send intent: a worker killed at each point of a delivery (deterministic).

``Killed`` (a BaseException, like SIGKILL it runs no ``except Exception``)
is raised from a patched function at each point of the sequence
claim → prepare + intent (commit) → send → done (commit). Then the stale
recovery and later ticks run, and the owner decides the uncertain sends.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.engine import execution
from claims.engine.execution import Delivery
from claims.engine.execution import DeliveryResult
from claims.engine.execution import TwoPhaseDeliverer
from claims.engine.run import ActionNotUncertain
from claims.engine.run import action_confirm_sent
from claims.engine.run import action_resend
from claims.engine.run import actions_deliver
from claims.engine.run import actions_requeue_stale
from claims.engine.run import collection_plan
from claims.engine.run import collection_run_sync
from claims.ledger.selectors import actions_uncertain
from claims.models import Action
from claims.models import Event
from tests import factories as f
from tests.reliability.conftest import due_claims

pytestmark = pytest.mark.faults


class Killed(BaseException):
    """Stands for SIGKILL: no handler runs, the open transaction is lost."""


class Recorder:
    """A two-phase deliverer that "sends" by recording the Message-ID."""

    def __init__(self) -> None:
        self.prepared: list[Delivery] = []
        self.sent: list[tuple[tuple[int, ...], str]] = []
        self.die_at: str | None = None

    def prepare(self, delivery: Delivery):
        if self.die_at == "prepare":
            self.die_at = None
            raise Killed
        self.prepared.append(delivery)
        return delivery.message_id()

    def send(self, delivery: Delivery, mid: str) -> DeliveryResult:
        if self.die_at == "before_send":
            self.die_at = None
            raise Killed
        self.sent.append((delivery.action_ids, mid))  # the server said 250
        if self.die_at == "after_send":
            self.die_at = None
            raise Killed
        return DeliveryResult(delivered=True, channel="email", message_id=mid)

    def times(self, pk: int) -> int:
        return sum(pk in ids for ids, _mid in self.sent)


@pytest.fixture
def recorder():
    rec = Recorder()
    previous = execution._deliverer
    execution.register_deliverer(TwoPhaseDeliverer(rec.prepare, rec.send))
    yield rec
    execution._deliverer = previous


def _deliver_and_die(rec: Recorder, point: str):
    (claim,) = due_claims(1)
    ((c, d, ids, day),) = collection_plan(
        now=timezone.now(), creditor_id=claim.creditor_id
    ).deliveries
    rec.die_at = point
    with pytest.raises(Killed):
        actions_deliver(creditor_id=c, debtor_id=d, action_ids=ids, today=day)
    return claim, ids


def _later_ticks(claim, n: int = 3) -> None:
    """Recovery and runs, as the beat would do them over the next hours."""
    for hours in range(1, n + 1):
        collection_run_sync(
            now=timezone.now() + timedelta(hours=hours), creditor_id=claim.creditor_id
        )


@pytest.mark.django_db(transaction=True)
def test_killed_before_the_intent_commit_is_planned_again_and_sent_once(
    engine_seed, recorder
):
    claim, ids = _deliver_and_die(recorder, "prepare")
    (a,) = Action.objects.filter(pk__in=ids)
    assert (a.state, a.message_id) == ("running", "")
    assert recorder.sent == []
    _later_ticks(claim)
    a.refresh_from_db()
    assert a.state == "done"
    assert recorder.times(a.pk) == 1
    assert a.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_killed_after_the_intent_before_sending_is_uncertain_never_resent(
    engine_seed, recorder
):
    claim, ids = _deliver_and_die(recorder, "before_send")
    (a,) = Action.objects.filter(pk__in=ids)
    assert a.state == "sending"
    assert a.message_id == recorder.prepared[0].message_id()
    _later_ticks(claim)
    a.refresh_from_db()
    assert a.state == "uncertain"
    assert recorder.sent == []
    ev = Event.objects.get(claim=claim, kind="action_uncertain")
    assert "Envoi incertain" in ev.message
    assert list(actions_uncertain(creditor_id=claim.creditor_id)) == [a]


@pytest.mark.django_db(transaction=True)
def test_killed_after_the_server_accepted_is_uncertain_sent_exactly_once(
    engine_seed, recorder
):
    claim, ids = _deliver_and_die(recorder, "after_send")
    (a,) = Action.objects.filter(pk__in=ids)
    assert a.state == "sending"  # the done mark never committed
    _later_ticks(claim)
    a.refresh_from_db()
    assert a.state == "uncertain"
    assert recorder.times(a.pk) == 1
    claim.refresh_from_db()
    assert claim.last_contact_on is None  # not "done" until the owner says so
    assert not claim.events.filter(kind="action_done").exists()


@pytest.mark.django_db(transaction=True)
def test_the_owner_confirms_an_uncertain_send_without_sending(engine_seed, recorder):
    claim, ids = _deliver_and_die(recorder, "after_send")
    _later_ticks(claim, 1)
    owner = f.UserFactory()
    action_confirm_sent(
        creditor=claim.creditor, code=Action.objects.get(pk=ids[0]).code, actor=owner
    )
    a = Action.objects.get(pk=ids[0])
    assert a.state == "done"
    claim.refresh_from_db()
    assert claim.last_contact_on == timezone.localdate()
    assert claim.events.filter(kind="action_done", actor=owner).count() == 1
    assert claim.events.filter(kind="action_uncertain", actor=owner).count() == 1
    _later_ticks(claim)
    assert recorder.times(a.pk) == 1
    with pytest.raises(ActionNotUncertain):  # twice: already decided
        action_confirm_sent(creditor=claim.creditor, code=a.code, actor=owner)


@pytest.mark.django_db(transaction=True)
def test_the_owner_resends_an_uncertain_send_once_with_a_new_message_id(
    engine_seed, recorder
):
    claim, ids = _deliver_and_die(recorder, "after_send")
    _later_ticks(claim, 1)
    a = Action.objects.get(pk=ids[0])
    first = a.message_id
    owner = f.UserFactory()
    action_resend(creditor=claim.creditor, code=a.code, actor=owner)
    _later_ticks(claim)
    a.refresh_from_db()
    assert a.state == "done"
    assert recorder.times(a.pk) == 2  # the uncertain one + the one asked for
    mids = [mid for ids_, mid in recorder.sent if a.pk in ids_]
    assert mids[0] == first
    assert mids[1] == a.message_id != first
    assert claim.events.filter(kind="action_uncertain", actor=owner).count() == 1


@pytest.mark.django_db(transaction=True)
def test_another_creditors_uncertain_action_is_not_found(engine_seed, recorder):
    claim, ids = _deliver_and_die(recorder, "after_send")
    _later_ticks(claim, 1)
    other = f.CreditorFactory()
    code = Action.objects.get(pk=ids[0]).code
    for service in (action_confirm_sent, action_resend):
        with pytest.raises(Action.DoesNotExist):
            service(creditor=other, code=code, actor=f.UserFactory())
    assert Action.objects.get(pk=ids[0]).state == "uncertain"


@pytest.mark.django_db(transaction=True)
def test_a_live_worker_is_not_taken_for_a_lost_one(engine_seed, recorder):
    """Recovery skips rows a worker holds locked, even past the stale delay."""
    (claim,) = due_claims(1)
    ((c, d, ids, day),) = collection_plan(
        now=timezone.now(), creditor_id=claim.creditor_id
    ).deliveries
    seen = []

    def send(delivery, mid):
        import threading

        from django.db import connection

        def recover():
            try:
                later = timezone.now() + timedelta(hours=1)
                seen.append(actions_requeue_stale(now=later))
            except Exception as exc:
                seen.append(repr(exc))
            finally:
                connection.close()

        t = threading.Thread(target=recover)
        t.start()
        t.join(10)
        return DeliveryResult(delivered=True, channel="email", message_id=mid)

    execution.register_deliverer(TwoPhaseDeliverer(recorder.prepare, send))
    actions_deliver(creditor_id=c, debtor_id=d, action_ids=ids, today=day)
    assert seen == [0]
    assert Action.objects.get(pk=ids[0]).state == "done"


@pytest.mark.django_db(transaction=True)
def test_a_send_only_deliverer_still_works_and_records_the_intent(
    engine_seed, deliverer
):
    (claim,) = due_claims(1)
    intents = []
    deliverer.before = lambda d: intents.append(
        Action.objects.get(pk=d.action_ids[0]).state
    )
    _later_ticks(claim, 1)
    assert intents == ["sending"]  # committed before the deliverer is called
    assert Action.objects.filter(claim=claim, state="done").count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_automatic_retry_keeps_the_message_id_a_refusal_is_not_uncertain(
    engine_seed, recorder
):
    """A refused send (4xx) is retried with the same Message-ID: were it a
    copy after all, the provider or the receiving server can drop it."""
    (claim,) = due_claims(1)
    answers = [
        DeliveryResult(delivered=False, error="SMTP 451"),
        None,  # then accepted
    ]
    real_send = recorder.send

    def send(delivery, mid):
        answer = answers.pop(0)
        return answer if answer is not None else real_send(delivery, mid)

    execution.register_deliverer(TwoPhaseDeliverer(recorder.prepare, send))
    _later_ticks(claim, 2)
    a = Action.objects.get(claim=claim, state="done")
    assert a.attempts == 2
    assert [p.message_id() for p in recorder.prepared] == [a.message_id] * 2
    assert recorder.times(a.pk) == 1


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_during_data_is_uncertain_and_not_retried(
    engine_seed, recorder
):
    (claim,) = due_claims(1)

    def send(delivery, mid):
        recorder.sent.append((delivery.action_ids, mid))  # it may have arrived
        return DeliveryResult(
            delivered=False, error="SMTPServerDisconnected", uncertain=True
        )

    execution.register_deliverer(TwoPhaseDeliverer(recorder.prepare, send))
    _later_ticks(claim, 3)
    (a,) = Action.objects.filter(claim=claim, state="uncertain")
    assert recorder.times(a.pk) == 1
    assert "SMTPServerDisconnected" in a.reason
