"""Webhooks against a real HTTP server on the loopback: signed, retried after a
500, delivered once, replayed by an owner; events come from the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from claims.engine.collection import dispute_open
from claims.engine.collection import judicial_handoff
from claims.ledger import webhooks
from claims.ledger.tasks import webhook_deliver_task
from claims.models import WebhookDelivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_loopback")]


def _types(ids):
    return [WebhookDelivery.objects.get(pk=i).event_type for i in ids]


def test_a_payment_is_signed_retried_after_a_500_and_delivered_once(
    api, claim, receiver, emitted
):
    with emitted as ids:
        r = api.post(
            f"/claims/{claim.code}/payments", {"amount": "100", "date": "2026-03-02"}
        )
    assert r.status_code == 201
    (delivery_id,) = [
        i
        for i in ids
        if WebhookDelivery.objects.get(pk=i).event_type == "payment.received"
    ]
    receiver.statuses = [500]
    webhook_deliver_task.apply(args=[delivery_id])
    assert [q["valid"] for q in receiver.requests] == [True, True]
    assert receiver.requests[0]["id"] == receiver.requests[1]["id"]
    body = receiver.requests[1]["body"]
    assert body["type"] == "payment.received"
    assert body["data"]["claim"] == str(claim.code)
    assert body["data"]["amount"] == "100.00"
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.attempts == 2
    assert delivery.last_status_code == 200
    assert delivery.delivered_at is not None
    # Delivered: the task run again (a duplicate message) sends nothing.
    webhook_deliver_task.apply(args=[delivery_id])
    assert len(receiver.requests) == 2
    assert receiver.processed == [str(delivery.event_id)]


def test_a_worker_killed_after_sending_is_delivered_once(api, claim, receiver, emitted):
    """The worker dies after the receiver answered but before the row is marked:
    the message is redelivered (acks_late), sent with the same event id, and the
    receiver processes it once."""
    with emitted as ids:
        api.post(
            f"/claims/{claim.code}/payments", {"amount": "50", "date": "2026-03-02"}
        )
    delivery_id = next(i for i in ids if "payment" in _types([i])[0])
    real_post = webhooks._post

    def post_then_die(request):
        real_post(request)
        raise SystemExit("worker killed")

    with mock.patch.object(webhooks, "_post", post_then_die), pytest.raises(SystemExit):
        webhooks.webhook_deliver(delivery_id=delivery_id)
    assert WebhookDelivery.objects.get(pk=delivery_id).delivered_at is None
    # The message redelivered while the dead attempt's lease runs: not sent.
    webhook_deliver_task.apply(args=[delivery_id])
    assert len(receiver.requests) == 1
    # The sweep, once the lease and the grace are over, queues it again.
    later = timezone.now() + dt.timedelta(seconds=webhooks.LEASE_SECONDS + 301)
    with emitted as requeued:
        assert webhooks.webhooks_sweep(now=later) == [delivery_id]
    assert requeued == [delivery_id]
    webhook_deliver_task.apply(args=[delivery_id])
    assert len(receiver.requests) == 2
    assert len(receiver.processed) == 1
    assert WebhookDelivery.objects.get(pk=delivery_id).delivered_at is not None


def test_it_gives_up_after_six_retries(api, claim, receiver, emitted):
    with emitted as ids:
        api.post(
            f"/claims/{claim.code}/payments", {"amount": "50", "date": "2026-03-02"}
        )
    delivery_id = next(i for i in ids if "payment" in _types([i])[0])
    receiver.statuses = [500] * 20
    webhook_deliver_task.apply(args=[delivery_id])
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.attempts == 7
    assert delivery.delivered_at is None
    assert delivery.last_status_code == 500
    assert delivery.last_response == "boom"


def test_retry_backoff_grows():
    assert [webhooks.retry_delay(n) for n in range(3)] == [30, 60, 120]


def test_an_owner_replays_a_delivery(client, cast, api, claim, receiver, emitted):
    with emitted as ids:
        api.post(
            f"/claims/{claim.code}/payments", {"amount": "50", "date": "2026-03-02"}
        )
    delivery_id = ids[0]
    webhook_deliver_task.apply(args=[delivery_id])
    client.force_login(cast.owner)
    with emitted as replays:
        r = client.post(reverse("claims:webhook_replay", args=[delivery_id]))
    assert r.status_code == 302
    assert replays == [delivery_id]
    webhook_deliver_task.apply(args=[delivery_id], kwargs={"replay": True})
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["id"] == receiver.requests[1]["id"]
    page = client.get("/settings/api/")
    assert receiver.url.encode() in page.content
    client.force_login(cast.colleague)
    assert (
        client.post(reverse("claims:webhook_replay", args=[delivery_id])).status_code
        == 403
    )
    client.force_login(cast.outsider)
    assert (
        client.post(reverse("claims:webhook_replay", args=[delivery_id])).status_code
        == 404
    )


def test_a_refused_write_announces_nothing(api, claim, receiver, emitted):
    with emitted as ids:
        r = api.post(
            f"/claims/{claim.code}/payments", {"amount": "50", "date": "2020-01-01"}
        )
    assert r.status_code == 422
    assert ids == []


def test_the_services_announce_their_events(api, cast, claim, receiver, emitted):
    with emitted as ids:
        api.post(
            "/invoices/import",
            {
                "debtor": str(claim.debtor.code),
                "number": "F-9",
                "issue_date": "2026-01-02",
                "due_date": "2026-02-01",
                "amount": "99.00",
            },
        )
    assert "claim.opened" in _types(ids)
    with emitted as ids:
        dispute_open(claim_id=claim.pk, reason="Pain rassis", actor=cast.owner)
    assert {"dispute.opened", "stage.changed"} <= set(_types(ids))
    with emitted as ids:
        judicial_handoff(claim_id=claim.pk, route="be_uncontested", actor=cast.owner)
    assert "claim.handed_to_bailiff" in _types(ids)


def test_an_endpoint_only_gets_the_events_it_chose(cast, claim, emitted):
    webhooks.endpoint_create(
        creditor_id=cast.creditor.pk,
        url="https://compta.example/hook",
        event_types=["dispute.opened"],
    )
    from claims.ledger.services import payment_record

    with emitted as ids:
        payment_record(claim=claim, amount=Decimal("10"), on=dt.date(2026, 3, 2))
    assert ids == []


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://compta.example/hook", True),
        ("http://compta.example/hook", False),
        ("ftp://compta.example/hook", False),
        ("not a url", False),
    ],
)
def test_endpoint_urls_must_be_https(cast, url, ok):
    if ok:
        assert webhooks.endpoint_create(
            creditor_id=cast.creditor.pk, url=url, event_types=[]
        )
    else:
        with pytest.raises(ValidationError):
            webhooks.endpoint_create(
                creditor_id=cast.creditor.pk, url=url, event_types=[]
            )


def test_loopback_http_only_when_allowed(cast):
    with (
        override_settings(WEBHOOKS_ALLOW_LOOPBACK=False),
        pytest.raises(ValidationError),
    ):
        webhooks.endpoint_create(
            creditor_id=cast.creditor.pk, url="http://127.0.0.1:9/h", event_types=[]
        )


def test_a_signature_fails_on_a_changed_body_or_an_old_timestamp():
    header = webhooks.sign("whsec_x", b'{"a":1}', 1_800_000_000)
    assert webhooks.signature_valid("whsec_x", b'{"a":1}', header, now=1_800_000_010)
    assert not webhooks.signature_valid(
        "whsec_x", b'{"a":2}', header, now=1_800_000_010
    )
    assert not webhooks.signature_valid(
        "whsec_y", b'{"a":1}', header, now=1_800_000_010
    )
    assert not webhooks.signature_valid(
        "whsec_x", b'{"a":1}', header, now=1_800_001_000
    )


def test_an_owner_registers_an_endpoint_whose_secret_is_shown_once(client, cast):
    client.force_login(cast.owner)
    r = client.post(
        "/settings/api/",
        {
            "action": "webhook_create",
            "url": "https://compta.example/h",
            "events": ["payment.received"],
        },
    )
    secret = r.context["new_secret"]
    assert secret.encode() in r.content
    assert secret.encode() not in client.get("/settings/api/").content
    r = client.post(
        "/settings/api/", {"action": "webhook_create", "url": "http://x.example/"}
    )
    assert "https" in r.context["webhook_error"]


def test_plans_accepted_and_broken_are_announced(cast, claim, receiver, emitted):
    from claims.engine.plans import plan_accept
    from claims.engine.plans import plans_check
    from claims.models import PaymentPlan

    plan = PaymentPlan.objects.create(
        creditor=cast.creditor, claim=claim, status=PaymentPlan.Status.PROPOSED
    )
    plan.instalments.create(due_on=dt.date(2026, 3, 10), amount=Decimal("605.00"))
    plan.instalments.create(due_on=dt.date(2026, 4, 10), amount=Decimal("605.00"))
    with emitted as ids:
        plan_accept(plan=plan, today=dt.date(2026, 3, 1), actor=cast.owner)
    assert {"plan.accepted", "stage.changed"} <= set(_types(ids))
    with emitted as ids:
        outcome = plans_check(today=dt.date(2026, 5, 30))
    assert outcome["broken"] == [plan.pk]
    assert "plan.broken" in _types(ids)
    broken = WebhookDelivery.objects.get(
        pk=next(i for i in ids if "broken" in _types([i])[0])
    )
    assert broken.payload["data"]["claim"] == str(claim.code)


@pytest.mark.usefixtures("engine_seed")
def test_a_message_sent_by_the_run_is_announced(deliverer, emitted):
    from claims.engine.run import collection_run_sync
    from tests import factories as f
    from tests.claims.engine_fixtures import at
    from tests.claims.engine_fixtures import open_claim

    creditor = f.CreditorFactory()
    due = dt.date(2026, 3, 2)
    claim = open_claim(creditor, f.DebtorFactory(creditor=creditor), due=due)
    webhooks.endpoint_create(
        creditor_id=creditor.pk, url="https://compta.example/h", event_types=[]
    )
    with emitted as ids:
        collection_run_sync(now=at(due + dt.timedelta(days=3)))
    assert len(deliverer.deliveries) == 1
    sent = [
        WebhookDelivery.objects.get(pk=i)
        for i in ids
        if _types([i])[0] == "message.sent"
    ]
    assert len(sent) == 1
    assert sent[0].payload["data"]["claim"] == str(claim.code)
    assert sent[0].payload["data"]["channel"] == "email"
