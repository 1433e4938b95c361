"""The webhook outbox: delivery rows written in the transaction of the change,
queued after commit, swept again when their task is lost; and each event kind
announced when it happens, once (message.sent only for what reached the debtor)."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from kombu.exceptions import OperationalError

from claims.engine import execution
from claims.engine.execution import DeliveryResult
from claims.engine.execution import TwoPhaseDeliverer
from claims.engine.run import action_confirm_sent
from claims.engine.run import collection_run_sync
from claims.ledger import webhooks
from claims.ledger.services import payment_record
from claims.ledger.tasks import webhook_deliver_task
from claims.models import Action
from claims.models import Event
from claims.models import WebhookDelivery
from claims.money_in.formats.csvfile import InvoiceRow
from claims.money_in.invoices import claims_create_bulk
from tests import factories as f
from tests.claims.engine_fixtures import at
from tests.claims.engine_fixtures import open_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_loopback")]
GRACE = dt.timedelta(seconds=301)  # WEBHOOKS_SWEEP_AFTER_SECONDS (300) passed


def _pay(claim, amount="50"):
    return payment_record(claim=claim, amount=Decimal(amount), on=dt.date(2026, 3, 2))


def test_the_rows_are_written_with_the_change_and_queued_after_its_commit(
    claim, receiver, emitted
):
    with emitted as queued:
        with transaction.atomic():
            _pay(claim)
            (row,) = WebhookDelivery.objects.filter(event_type="payment.received")
            assert row.next_attempt_at is not None
            assert row.delivered_at is None
            assert queued == []  # nothing leaves before the commit
        assert queued == []
    assert queued == [row.pk]
    assert row.payload["id"] == str(row.event_id)
    claim.refresh_from_db()
    assert row.payload["data"]["balance_after"] == str(claim.balance)
    assert row.payload["data"]["amount"] == "50.00"


def test_a_rolled_back_change_leaves_no_delivery(claim, receiver, emitted):
    def pay_then_fail():
        with transaction.atomic():
            _pay(claim)
            raise RuntimeError("the service failed after announcing")

    with emitted as queued, pytest.raises(RuntimeError):
        pay_then_fail()
    assert queued == []
    assert not WebhookDelivery.objects.exists()


def test_a_broker_down_at_commit_loses_nothing_the_sweep_sends_it(
    claim, receiver, django_capture_on_commit_callbacks, caplog
):
    down = OperationalError("Error 111 connecting to 127.0.0.1:6379")
    with (
        mock.patch.object(webhook_deliver_task, "apply_async", side_effect=down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _pay(claim)  # the payment is recorded: the broker's fault is not the user's
    (row,) = WebhookDelivery.objects.all()
    assert "not queued" in caplog.text
    assert webhooks.webhooks_sweep() == []  # within the grace: not yet
    swept = []
    with mock.patch.object(webhooks, "_queue", side_effect=swept.extend):
        later = timezone.now() + GRACE
        with django_capture_on_commit_callbacks(execute=True):
            assert webhooks.webhooks_sweep(now=later) == [row.pk]
    assert swept == [row.pk]
    webhook_deliver_task.apply(args=[row.pk])
    assert [r["id"] for r in receiver.requests] == [str(row.event_id)]
    assert receiver.requests[0]["valid"]
    row.refresh_from_db()
    assert row.delivered_at is not None
    assert row.next_attempt_at is None
    # Delivered: later sweeps leave it alone.
    assert webhooks.webhooks_sweep(now=later + GRACE) == []


def test_the_sweep_skips_delivered_given_up_and_leased_rows(claim, receiver, emitted):
    with emitted as ids:
        for amount in ("10", "20", "30", "40"):
            _pay(claim, amount)
    delivered, given_up, leased, lost = ids
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivered).update(
        delivered_at=now, next_attempt_at=None
    )
    WebhookDelivery.objects.filter(pk=given_up).update(next_attempt_at=None, attempts=7)
    WebhookDelivery.objects.filter(pk=leased).update(leased_until=now + 2 * GRACE)
    with emitted:
        assert webhooks.webhooks_sweep(now=now + GRACE) == [lost]
    # The task of a leased row (another worker sending it) sends nothing.
    webhook_deliver_task.apply(args=[leased])
    assert receiver.requests == []


def test_a_disabled_endpoint_gets_no_more_deliveries(claim, receiver, emitted):
    with emitted as ids:
        _pay(claim)
    webhooks.endpoint_disable(endpoint_id=receiver.endpoint.pk)
    webhook_deliver_task.apply(args=[ids[0]])
    assert receiver.requests == []
    assert WebhookDelivery.objects.get(pk=ids[0]).next_attempt_at is None
    with emitted as ids:
        _pay(claim)
    assert ids == []  # read again in the same transaction: disabled


def _events(claims, kind=Event.Kind.ACTION_DONE, channel="email"):
    return [
        Event(
            creditor_id=c.creditor_id,
            claim_id=c.pk,
            kind=kind,
            message="Rappel envoyé",
            data={"action": f"a-{c.pk}", "channel": channel},
        )
        for c in claims
    ]


@pytest.mark.parametrize("n", [3, 40])
def test_a_batch_costs_the_same_queries_whatever_its_size(cast, emitted, n):
    claims = [f.ClaimFactory(creditor=cast.creditor) for _ in range(n)]
    with emitted, CaptureQueriesContext(connection) as none:
        webhooks.webhook_emit_events(_events(claims))
    assert len(none) == 1  # the creditor's endpoints: none
    webhooks.endpoint_create(
        creditor_id=cast.creditor.pk, url="https://compta.example/a", event_types=[]
    )
    webhooks.endpoint_create(
        creditor_id=cast.creditor.pk,
        url="https://compta.example/b",
        event_types=["message.sent"],
    )
    with emitted as ids, CaptureQueriesContext(connection) as some:
        webhooks.webhook_emit_events(_events(claims))
    assert len(some) == 3  # endpoints, claims, one INSERT of 2 × n rows
    assert len(ids) == 2 * n
    assert WebhookDelivery.objects.values("event_id").distinct().count() == n


def test_single_emits_read_the_endpoints_once_per_transaction(cast, emitted):
    claims = [f.ClaimFactory(creditor=cast.creditor) for _ in range(5)]
    with emitted, transaction.atomic(), CaptureQueriesContext(connection) as q:
        for c in claims:
            webhooks.webhook_emit(claim=c, event="stage.changed", before="a", after="b")
    assert len(q) == 1


def test_message_sent_only_for_messages_to_the_debtor():
    claim = f.ClaimFactory()
    sent = (
        _events([claim], channel="email")
        + _events([claim], channel="registered")
        + _events([claim], channel="escalate")  # the amicable phase exhausted
        + _events([claim], channel="call")  # a phone call made by a person
        + _events([claim], kind=Event.Kind.ACTION_UNCERTAIN)
    )
    webhooks.endpoint_create(
        creditor_id=claim.creditor_id, url="https://compta.example/h", event_types=[]
    )
    webhooks.webhook_emit_events(sent, {Event.Kind.ACTION_DONE: "message.sent"})
    assert sorted(
        WebhookDelivery.objects.values_list("payload__data__channel", flat=True)
    ) == ["email", "registered"]


@pytest.mark.usefixtures("engine_seed")
def test_a_whole_scenario_announces_each_message_once_and_no_escalation(
    deliverer, emitted
):
    creditor = f.CreditorFactory()
    due = dt.date(2026, 3, 2)
    claim = open_claim(creditor, f.DebtorFactory(creditor=creditor), due=due)
    webhooks.endpoint_create(
        creditor_id=creditor.pk,
        url="https://compta.example/h",
        event_types=["message.sent"],
    )
    with emitted as ids:
        for day in range(120):
            collection_run_sync(now=at(due + dt.timedelta(days=day)))
    done = Action.objects.filter(claim=claim, state="done").select_related("step")
    escalations = [str(a.code) for a in done if a.step.kind == "escalate"]
    messages = [str(a.code) for a in done if a.step.kind != "escalate"]
    assert escalations
    assert len(messages) >= 3
    assert sorted(deliverer.action_ids) == sorted(
        a.pk for a in done if a.step.kind != "escalate"
    )
    announced = [
        WebhookDelivery.objects.get(pk=i).payload["data"]["action"] for i in ids
    ]
    assert sorted(announced) == sorted(messages)  # each message once, nothing else


@pytest.mark.usefixtures("engine_seed")
def test_an_uncertain_send_is_announced_only_when_the_owner_confirms_it(cast, emitted):
    def uncertain(delivery, token):
        return DeliveryResult(delivered=False, error="SMTP lost", uncertain=True)

    previous = execution._deliverer
    execution.register_deliverer(TwoPhaseDeliverer(lambda d: "mid", uncertain))
    try:
        due = dt.date(2026, 3, 2)
        claim = open_claim(
            cast.creditor, f.DebtorFactory(creditor=cast.creditor), due=due
        )
        webhooks.endpoint_create(
            creditor_id=cast.creditor.pk, url="https://compta.example/h", event_types=[]
        )
        with emitted as ids:
            collection_run_sync(now=at(due + dt.timedelta(days=3)))
        (action,) = Action.objects.filter(claim=claim, state="uncertain")
        assert "message.sent" not in [
            WebhookDelivery.objects.get(pk=i).event_type for i in ids
        ]
        with emitted as ids:
            action_confirm_sent(
                creditor=cast.creditor, code=action.code, actor=cast.owner
            )
        sent = [
            WebhookDelivery.objects.get(pk=i)
            for i in ids
            if WebhookDelivery.objects.get(pk=i).event_type == "message.sent"
        ]
        assert [d.payload["data"]["action"] for d in sent] == [str(action.code)]
    finally:
        execution._deliverer = previous


def test_a_csv_import_announces_each_claim_opened(cast, emitted):
    webhooks.endpoint_create(
        creditor_id=cast.creditor.pk,
        url="https://compta.example/h",
        event_types=["claim.opened"],
    )
    rows = [
        InvoiceRow(
            line=n,
            debtor_name=f"Boulangerie {n}",
            debtor_number=f"D{n}",
            debtor_email="",
            debtor_iban="",
            debtor_address="",
            debtor_postal_code="",
            debtor_city="",
            invoice_number=f"F-{n}",
            issue_date=dt.date(2026, 1, 5),
            due_date=dt.date(2026, 2, 4),
            amount=Decimal("121.00"),
            vat_amount=Decimal("21.00"),
            currency="EUR",
            description="",
        )
        for n in (1, 2, 3)
    ]
    with emitted as ids:
        claim_ids = claims_create_bulk(
            creditor=cast.creditor, rows=rows, today=dt.date(2026, 3, 1)
        )
    rows = WebhookDelivery.objects.filter(pk__in=ids)
    assert sorted(r.payload["data"]["invoices"][0] for r in rows) == [
        "F-1",
        "F-2",
        "F-3",
    ]
    assert {r.event_type for r in rows} == {"claim.opened"}
    assert len(claim_ids) == 3


def test_the_verification_in_the_guide_accepts_our_signature_only():
    """docs/api.md's few lines of Python, run as written."""
    guide = (Path(__file__).parents[2] / "docs" / "api.md").read_text()
    code = guide.split("### Verifying a delivery")[1].split("```python")[1]
    scope: dict = {}
    exec(code.split("```")[0], scope)  # noqa: S102 (our own documentation)
    body = b'{"id":"e1","type":"payment.received"}'
    header = webhooks.sign("whsec_abc", body, int(time.time()))
    assert scope["verify"]("whsec_abc", body, header)
    assert not scope["verify"]("whsec_abc", body + b" ", header)
    assert not scope["verify"]("whsec_other", body, header)
    old = webhooks.sign("whsec_abc", body, int(time.time()) - 600)
    assert not scope["verify"]("whsec_abc", body, old)


def test_the_beat_sweeps_every_minute_and_the_command_does_the_same(
    settings, claim, receiver, emitted
):
    from recouvrement.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["webhooks-sweep"]
    assert entry["schedule"].minute == set(range(60))
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    with emitted as ids:
        _pay(claim)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - GRACE)
    out = StringIO()
    with emitted as swept:
        call_command("webhooks_sweep", stdout=out)
    assert swept == ids
    assert "1 webhook deliveries queued again" in out.getvalue()
