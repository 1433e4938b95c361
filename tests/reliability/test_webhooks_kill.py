"""Webhooks with a real Celery worker, a real Redis broker and a real HTTP
receiver on the loopback (tests/api/receiver.py: it checks the signature and
de-duplicates by event id, as docs/api.md tells a creditor to do).

The worker SIGKILLs its whole process group at a chosen point
(tests/reliability/hook_faults.py); its queued task is then lost too (the
broker is emptied, as when Redis restarts without persistence). A new worker
starts, the sweep queues the pending row again, and the event arrives.

The guarantee checked: at-least-once delivery with a stable event id. Killed
before the request, the receiver gets the event once; killed after the
receiver answered but before the answer was recorded, it gets the same event
(same id, same body, a valid signature each time) twice and accepts it once.
Nothing committed is lost.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import redis
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.ledger import webhooks
from claims.ledger.services import payment_record
from claims.models import WebhookDelivery
from tests import factories as f
from tests.api.receiver import Receiver
from tests.reliability.harness import wait_until
from tests.reliability.harness import worker
from tests.reliability.harness import worker_env

pytestmark = [pytest.mark.slow, pytest.mark.faults]
APP = "tests.reliability.hook_faults"
# Past the dead attempt's lease and the sweep's grace: what the beat's sweep
# sees a few minutes after the crash.
LATER = dt.timedelta(seconds=webhooks.LEASE_SECONDS + 301)


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def hooked(receiver, tmp_path):
    """A creditor with a claim and an endpoint on the receiver; the kill file."""
    creditor = f.CreditorFactory()
    owner = f.UserFactory()
    f.MembershipFactory(user=owner, creditor=creditor)
    claim = f.ClaimFactory(
        creditor=creditor,
        invoices=[
            {
                "amount": Decimal("1210.00"),
                "issue_date": dt.date(2026, 1, 15),
                "due_date": dt.date(2026, 2, 14),
            }
        ],
    )
    endpoint = webhooks.endpoint_create(
        creditor_id=creditor.pk, url=receiver.url, event_types=["payment.received"]
    )
    receiver.secret = endpoint.secret
    kills = tmp_path / "kills.json"
    kills.write_text("[]")
    return claim, owner, kills


def _pay(claim) -> WebhookDelivery:
    """Record a payment (committed: the row and its task exist)."""
    payment_record(claim=claim, amount=Decimal("100"), on=dt.date(2026, 3, 2))
    return WebhookDelivery.objects.get(event_type="payment.received")


def _delivered(row: WebhookDelivery):
    return lambda: WebhookDelivery.objects.get(pk=row.pk).delivered_at is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("point", "received"), [("before_request", 1), ("after_response", 2)]
)
def test_a_worker_killed_mid_delivery_loses_nothing_and_the_event_is_accepted_once(
    hooked, receiver, broker, tmp_path, point, received
):
    claim, _owner, kills = hooked
    kills.write_text(json.dumps([point]))
    env = worker_env(broker=broker, smtp_port=1, FAULT_KILL_FILE=str(kills))
    w = worker(env, tmp_path / "worker.log", "hooks1", app=APP).start()
    try:
        row = _pay(claim)
        w.popen.wait(timeout=60)  # it dies at the kill point, nothing else ends it
        assert (tmp_path / f"kills.json.{point}").exists()
        row.refresh_from_db()
        assert row.delivered_at is None
        assert row.attempts == 1
        assert len(receiver.requests) == received - 1
        # The crash took the queued task with it: only the outbox row is left.
        redis.Redis.from_url(broker).flushdb()
        w = worker(env, tmp_path / "worker.log", "hooks2", app=APP).start()
        assert webhooks.webhooks_sweep() == []  # within the grace: not yet
        assert webhooks.webhooks_sweep(now=timezone.now() + LATER) == [row.pk]
        assert wait_until(_delivered(row), 60), "never delivered"
    finally:
        w.stop()
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.last_status_code == 200
    assert len(receiver.requests) == received
    assert all(r["valid"] for r in receiver.requests)
    assert {r["id"] for r in receiver.requests} == {str(row.event_id)}
    assert all(r["body"] == row.payload for r in receiver.requests)
    assert receiver.processed == [str(row.event_id)]  # accepted once


@pytest.mark.django_db(transaction=True)
def test_a_500_is_retried_with_backoff_and_an_owner_replays_from_the_settings(
    hooked, receiver, broker, tmp_path
):
    claim, owner, kills = hooked
    env = worker_env(broker=broker, smtp_port=1, FAULT_KILL_FILE=str(kills))
    w = worker(env, tmp_path / "worker.log", "hooks", app=APP).start()
    receiver.statuses = [500]
    try:
        row = _pay(claim)

        def failed_once() -> bool:
            row.refresh_from_db()
            return row.last_status_code == 500 and row.leased_until is None

        assert wait_until(failed_once, 60), "the first attempt never came back"
        assert row.attempts == 1
        assert row.delivered_at is None
        assert row.last_response == "boom"
        wait = row.next_attempt_at - row.last_attempt_at
        # 30 s after the answer (the attempt's time plus the request's).
        assert dt.timedelta(seconds=30) <= wait < dt.timedelta(seconds=40)
        # The worker holds the retry for 30 s; the sweep stands for the time.
        assert webhooks.webhooks_sweep(now=row.next_attempt_at + LATER) == [row.pk]
        assert wait_until(_delivered(row), 60), "never delivered after the 500"
        assert len(receiver.requests) == 2
        # The owner replays the delivered event from the settings page.
        client = Client()
        client.force_login(owner)
        r = client.post(reverse("claims:webhook_replay", args=[row.pk]))
        assert r.status_code == 302
        assert wait_until(lambda: len(receiver.requests) == 3, 60), "no replay"
    finally:
        w.stop()
    row.refresh_from_db()
    assert row.attempts == 3
    assert [r["valid"] for r in receiver.requests] == [True, True, True]
    assert {r["id"] for r in receiver.requests} == {str(row.event_id)}
    assert receiver.processed == [str(row.event_id)]
