"""Batch delivery with the real letters deliverer and a real SMTP server.

One batch of debtors: a constant number of SQL statements (the same for 10
and 100 debtors), one SMTP connection, a refusal failing its own message
only, and a connection lost mid-batch: the messages the server took are
done, the one in DATA uncertain (shown, never re-sent), the rest not sent
and sent by a later run — once each.
"""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.engine.run import actions_deliver_batch
from claims.engine.run import collection_plan
from claims.engine.run import collection_run_sync
from claims.ledger.selectors import actions_uncertain
from claims.models import Action
from letters.models import OutboundMessage
from tests import factories as f
from tests.claims.engine_fixtures import open_claim
from tests.letters.conftest import Inbox

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("engine_seed")]


class CountingInbox(Inbox):
    """Counts SMTP sessions (EHLO); can drop the connection during a DATA."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions = 0
        self.drop_at: int | None = None  # index of the message whose DATA is cut
        self.seen = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        index, self.seen = self.seen, self.seen + 1
        if index == self.drop_at:
            server.transport.close()  # received, but no answer: uncertain
            return "421 closing"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def inbox(smtp_inbox):
    counting = CountingInbox()
    # Swap the handler of the running server for the counting one.
    smtp_inbox.__class__ = CountingInbox
    smtp_inbox.__dict__.update(counting.__dict__)
    return smtp_inbox


def _batch(n: int):
    """n debtors, one overdue claim each, their first reminder (e-mail) due now."""
    creditor = f.CreditorFactory(send_hour=0, emails_on_non_working_days=True)
    due = timezone.localdate() - timedelta(days=10)
    for i in range(n):
        debtor = f.DebtorFactory(
            creditor=creditor, email=f"d{i}-{creditor.pk}@client.test"
        )
        open_claim(creditor, debtor, due=due, n=i)
    plan = collection_plan(now=timezone.now(), creditor_id=creditor.pk)
    assert len(plan.deliveries) == n
    return creditor, plan.deliveries


def _run(deliveries):
    with CaptureQueriesContext(connection) as ctx:
        out = actions_deliver_batch(deliveries)
    return out, len(ctx.captured_queries)


def test_a_batch_costs_the_same_statements_for_10_and_100_debtors(inbox):
    _run(_batch(3)[1])  # warm caches (rates, content types)
    before = inbox.sessions
    out10, q10 = _run(_batch(10)[1])
    out100, q100 = _run(_batch(100)[1])
    assert (len(out10.done), len(out100.done)) == (10, 100)
    assert len(inbox.messages) == 113
    print(f"BATCH statements per batch: {q10} (10 debtors), {q100} (100 debtors)")  # noqa: T201
    assert q10 == q100, (q10, q100)
    assert q10 <= 60
    assert inbox.sessions - before == 2  # one SMTP connection per batch
    sent = OutboundMessage.objects.filter(status="sent")
    assert sent.count() == 113


def test_a_refused_recipient_fails_its_own_message_only(inbox):
    creditor, deliveries = _batch(5)
    inbox.reject = {f"d2-{creditor.pk}@client.test"}
    out = actions_deliver_batch(deliveries)
    assert len(out.done) == 4
    assert len(inbox.messages) == 4
    (failed,) = Action.objects.filter(claim__creditor=creditor, state="failed")
    assert failed.debtor.email == f"d2-{creditor.pk}@client.test"
    assert "550" in failed.reason
    assert OutboundMessage.objects.get(debtor=failed.debtor).status == "bounced"
    assert inbox.sessions == 1


def test_a_connection_lost_mid_batch_never_sends_twice(inbox):
    creditor, deliveries = _batch(6)
    inbox.drop_at = 2  # messages 0 and 1 answered 250; 2 cut during DATA
    out = actions_deliver_batch(deliveries)
    assert out.retry  # the messages after the cut go back to the queue
    order = [ids[0] for _c, _d, ids, _day in deliveries]
    states = dict(Action.objects.filter(pk__in=order).values_list("pk", "state"))
    assert [states[pk] for pk in order] == ["done", "done", "uncertain"] + [
        "planned"
    ] * 3
    assert list(
        actions_uncertain(creditor_id=creditor.pk).values_list("pk", flat=True)
    ) == [order[2]]
    # A later run sends the three not sent, over a new connection; the
    # uncertain one waits for the owner.
    inbox.drop_at = None
    collection_run_sync(now=timezone.now(), creditor_id=creditor.pk)
    states = dict(Action.objects.filter(pk__in=order).values_list("pk", "state"))
    assert [states[pk] for pk in order] == ["done", "done", "uncertain"] + ["done"] * 3
    to = [env.rcpt_tos[0] for env, _msg in inbox.messages]
    assert len(to) == len(set(to)) == 5  # the cut one never reached the inbox list
    assert f"d2-{creditor.pk}@client.test" not in to


def test_every_email_of_a_batch_is_kept_as_it_left(inbox):
    """The bailiff's file holds each e-mail as sent: the archived .eml of every
    message of a batch is the one the server received (same Message-ID, Date
    and parts), built once, not rebuilt at sending time."""
    creditor, deliveries = _batch(4)
    actions_deliver_batch(deliveries)
    received = {m["Message-ID"]: m for _env, m in inbox.messages}
    records = OutboundMessage.objects.filter(creditor=creditor, status="sent")
    assert len(received) == records.count() == 4
    for record in records:
        assert record.eml, record.message_id
        with record.eml.open("rb") as fh:
            kept = message_from_bytes(fh.read())
        sent = received[record.message_id]
        assert kept["Message-ID"] == sent["Message-ID"] == record.message_id
        assert kept["Date"] == sent["Date"]
        assert kept["To"] == sent["To"]
        assert _parts(kept) == _parts(sent)


def _parts(message) -> list[bytes]:
    return [p.get_payload(decode=True) for p in message.walk() if not p.is_multipart()]


def test_an_accented_address_without_smtputf8_fails_alone_the_batch_goes_on(
    settings,
):
    """A server without SMTPUTF8 cannot take ``chloé@…``: that message fails
    for good (before any byte of it left), the others of the batch are sent."""
    from aiosmtpd.controller import Controller

    from tests.letters.conftest import Inbox
    from tests.letters.conftest import _free_port

    inbox, port = Inbox(), _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, enable_SMTPUTF8=False
    )
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        creditor, deliveries = _batch(4)
        accented = Action.objects.get(pk=deliveries[1][2][0]).debtor
        accented.email = "chloé.thomas@client.test"
        accented.save(update_fields=["email"])
        out = actions_deliver_batch(deliveries)
    finally:
        controller.stop()
    assert len(out.done) == 3
    assert len(inbox.messages) == 3
    (failed,) = Action.objects.filter(claim__creditor=creditor, state="failed")
    assert failed.debtor_id == accented.pk
    assert "SMTPUTF8" in failed.reason
    assert OutboundMessage.objects.get(debtor=accented).status == "bounced"


class _Killed(BaseException):
    """Stands for a SIGKILL: nothing after it runs, no handler catches it."""


@pytest.mark.django_db(transaction=True)
def test_a_batch_killed_mid_send_leaves_only_the_message_in_flight_uncertain(
    inbox,
):
    """Two messages accepted (journaled), the third in flight when the worker
    dies: recovery marks the first two done, the third uncertain and the
    fourth (never handed over) planned again. Run outside any transaction,
    as a worker runs it: the journal's rows commit with the intents."""
    from claims.engine import execution
    from claims.engine.execution import TwoPhaseDeliverer
    from claims.engine.execution import answered
    from claims.engine.run import actions_requeue_stale

    def send_many(pairs):
        for i, (delivery, _token) in enumerate(pairs):
            if i == 2:
                raise _Killed
            answered(delivery.message_id(), True)
        raise AssertionError("not reached")

    _creditor, deliveries = _batch(4)
    previous = execution._deliverer
    execution.register_deliverer(
        TwoPhaseDeliverer(
            prepare=lambda d: d.message_id(),
            send=lambda d, t: None,
            send_many=send_many,
            journals=True,
        )
    )
    try:
        with pytest.raises(_Killed):
            actions_deliver_batch(deliveries)
    finally:
        execution._deliverer = previous
    order = [ids[0] for _c, _d, ids, _day in deliveries]
    Action.objects.filter(pk__in=order).update(
        started_at=timezone.now() - timedelta(days=1)
    )
    actions_requeue_stale(now=timezone.now())
    states = dict(Action.objects.filter(pk__in=order).values_list("pk", "state"))
    assert [states[pk] for pk in order] == ["done", "done", "uncertain", "planned"]
