"""SMTP down a while: retried with backoff, delivered once; 5xx: shown, not retried."""

from __future__ import annotations

import json
import time

import pytest

from claims.engine.run import collection_enqueue
from claims.models import Action
from claims.models import Event
from tests.reliability import checks
from tests.reliability.conftest import due_claims
from tests.reliability.harness import wait_until
from tests.reliability.harness import worker
from tests.reliability.harness import worker_env

pytestmark = [pytest.mark.slow, pytest.mark.faults]


@pytest.mark.django_db(transaction=True)
def test_smtp_down_then_back_delivers_each_message_once(
    engine_seed, smtp, broker, tmp_path
):
    w = worker(
        worker_env(broker=broker, smtp_port=smtp.port), tmp_path / "w.log", "smtp"
    )
    w.start()
    try:
        claims = [c.pk for c in due_claims(6, debtors=3)]
        smtp.down()
        t0 = time.monotonic()
        collection_enqueue()
        failed = Event.objects.filter(claim_id__in=claims, kind="action_failed")
        actions = Action.objects.filter(claim_id__in=claims, attempts__gte=2)
        # Down until a message has failed, been retried and failed again.
        assert wait_until(lambda: actions.count() >= 2, 60), "never retried"
        smtp.up()
        back = time.monotonic()
        assert wait_until(lambda: checks.converged(claims), 90)
        dup, lost, extra = checks.exactly_once(smtp.sent_ids(), claims)
        attempts = list(
            Action.objects.filter(claim_id__in=claims, state="done").values_list(
                "attempts", flat=True
            )
        )
        print(  # noqa: T201
            "FAULTS smtp_down",
            json.dumps(
                {
                    "failed_attempts": failed.count(),
                    "attempts_per_action": sorted(attempts),
                    "down_s": round(back - t0, 2),
                    "delivered_after_up_s": round(time.monotonic() - back, 2),
                    "messages": len(smtp.messages),
                }
            ),
        )
        assert (dup, lost, extra) == ([], [], [])
        assert len(smtp.messages) == 3
        assert max(attempts) >= 2  # retried
    finally:
        w.stop()


@pytest.mark.django_db(transaction=True)
def test_permanent_smtp_failure_is_shown_on_the_claim_and_not_retried(
    engine_seed, smtp, broker, tmp_path
):
    w = worker(
        worker_env(broker=broker, smtp_port=smtp.port), tmp_path / "w.log", "5xx"
    )
    w.start()
    try:
        (claim,) = due_claims(1)
        smtp.mode = "5xx"
        collection_enqueue()
        action = Action.objects.filter(claim=claim, step__kind="first_reminder")
        assert wait_until(lambda: action.get().state == "failed", 60)
        for _ in range(3):  # later ticks do not pick it up again
            collection_enqueue()
            time.sleep(1)
        a = action.get()
        assert a.attempts == 1
        assert smtp.refused == 1
        assert a.reason == "SMTP 550"
        ev = Event.objects.get(claim=claim, kind="action_failed")
        assert ev.data["final"] is True
        assert "SMTP 550" in ev.message
    finally:
        w.stop()
