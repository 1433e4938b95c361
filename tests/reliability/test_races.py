"""A payment, dispute or pause racing a delivery: nothing is sent after it.

Two threads, two PostgreSQL connections. The deliverer stamps the moment it
"sends"; the other thread stamps the moment its payment/dispute/pause has
committed. A send stamped after that commit is the bug this test hunts. The
start of the stopper is jittered so it lands before, between and during the
engine's three transactions (claim, prepare + intent, send).
"""

from __future__ import annotations

import json
import random
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from claims.engine.collection import dispute_open
from claims.engine.collection import pause_until
from claims.engine.execution import DeliveryResult
from claims.engine.run import actions_deliver
from claims.engine.run import collection_plan
from claims.ledger.services import payment_record
from claims.models import Action
from tests import factories as f
from tests.reliability.conftest import due_claims

pytestmark = [pytest.mark.slow, pytest.mark.faults]
REPEATS = 50


def _stop(kind: str, claim, user) -> None:
    today = timezone.localdate()
    if kind == "payment":
        payment_record(claim=claim, amount=claim.balance, on=today)
    elif kind == "dispute":
        dispute_open(claim_id=claim.pk, reason="Marchandise non livrée", actor=user)
    else:
        pause_until(
            claim_id=claim.pk,
            until=today + timedelta(days=10),
            actor=user,
            reason="Promesse de paiement",
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["payment", "dispute", "pause"])
def test_nothing_is_sent_after_a_concurrent_stop(engine_seed, deliverer, kind):
    rng = random.Random(f"race-{kind}")
    user = f.UserFactory()
    sent_after, sent_before, stopped_first, errors = 0, 0, 0, []
    sends: list[tuple[int, float]] = []

    def stamp(delivery):
        sends.append((delivery.action_ids[0], time.monotonic()))
        time.sleep(rng.uniform(0, 0.004))  # SMTP takes a moment
        return DeliveryResult(delivered=True, channel="email")

    deliverer.before = stamp
    for _ in range(REPEATS):
        (claim,) = due_claims(1)
        plan = collection_plan(now=timezone.now(), creditor_id=claim.creditor_id)
        ((c, d, ids, day),) = plan.deliveries
        sends.clear()
        committed: list[float] = []
        go = threading.Barrier(2)
        jitter = rng.uniform(0, 0.12)  # covers the three transactions

        def run_delivery(c=c, d=d, ids=ids, day=day, go=go):
            try:
                go.wait()
                actions_deliver(creditor_id=c, debtor_id=d, action_ids=ids, today=day)
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                connection.close()

        def run_stop(claim=claim, jitter=jitter, go=go, committed=committed):
            try:
                go.wait()
                time.sleep(jitter)
                _stop(kind, claim, user)
                committed.append(time.monotonic())
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                connection.close()

        threads = [
            threading.Thread(target=run_delivery),
            threading.Thread(target=run_stop),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert committed, errors
        late = [s for s in sends if s[1] > committed[0]]
        sent_after += len(late)
        if sends:
            sent_before += 1
            done = Action.objects.filter(pk__in=ids, state="done").count()
            assert done == len(ids), "sent but not recorded as done"
        else:
            stopped_first += 1
            assert not Action.objects.filter(pk__in=ids, state="done").exists(), list(
                claim.events.values_list("kind", "message"),
                sends,
                deliverer.deliveries[-2:],
                ids,
            )
    print(  # noqa: T201
        "FAULTS race",
        json.dumps(
            {
                "kind": kind,
                "repeats": REPEATS,
                "sent_before_stop": sent_before,
                "stopped_first": stopped_first,
                "sent_after_stop": sent_after,
                "errors": len(errors),
            }
        ),
    )
    assert errors == []
    assert sent_after == 0
    assert stopped_first > 0, "the stop never won the race"
    assert sent_before > 0, "the delivery never won the race"
