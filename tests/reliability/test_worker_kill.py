"""SIGKILL a real Celery worker at random points of many runs: each action once.

Each run: fresh overdue claims, the tick enqueues one task per debtor on
Redis, and after a random delay either one prefork child or the whole worker
(process group: a crashed host) is killed with SIGKILL. The beat tick is then
called until the database says every due action is done; the SMTP sink counts
what was really accepted.
"""

from __future__ import annotations

import json
import os
import random
import time

import pytest

from claims.services_run import collection_enqueue
from tests.reliability import checks
from tests.reliability.conftest import due_claims
from tests.reliability.harness import wait_until
from tests.reliability.harness import worker
from tests.reliability.harness import worker_env

pytestmark = [pytest.mark.slow, pytest.mark.faults]
RUNS = int(os.environ.get("FAULT_RUNS", "20"))
CLAIMS_PER_RUN = 16


@pytest.mark.django_db(transaction=True)
def test_sigkill_at_random_points_never_loses_nor_duplicates(
    engine_seed, smtp, broker, settings, tmp_path
):
    settings.COLLECTION_STALE_RUNNING_SECONDS = 3
    rng = random.Random(20261126)
    env = worker_env(broker=broker, smtp_port=smtp.port)
    w = worker(env, tmp_path / "worker.log", "kill").start()
    # Warm-up run: the worker is consuming before the first timed kill.
    warm = [c.pk for c in due_claims(2)]
    collection_enqueue()
    assert wait_until(lambda: checks.converged(warm), 60), "worker never started"
    stats = {"runs": 0, "child": 0, "group": 0, "dups": 0, "lost": 0, "recover": []}
    all_claims = list(warm)
    try:
        for run in range(RUNS):
            claims = [c.pk for c in due_claims(CLAIMS_PER_RUN, debtors=8)]
            all_claims += claims
            collection_enqueue()
            time.sleep(rng.uniform(0.0, 0.35))  # the random kill point
            t0 = time.monotonic()
            if run % 4 == 3:
                w.kill_group()
                stats["group"] += 1
                w = worker(env, tmp_path / "worker.log", f"kill{run}").start()
            else:
                kids = w.children()
                if kids:
                    import os
                    import signal

                    os.kill(rng.choice(kids), signal.SIGKILL)
                    stats["child"] += 1

            def tick(claims=claims, w=w):
                if not w.alive:
                    return False
                if checks.converged(claims):
                    return True
                collection_enqueue()
                return False

            assert wait_until(tick, 60, step=0.5), f"run {run} never converged"
            stats["recover"].append(round(time.monotonic() - t0, 2))
            stats["runs"] += 1
        # Let redelivered leftovers (visibility timeout) run out before counting.
        dup, lost, extra = checks.exactly_once(smtp.sent_ids(), all_claims)
        stats["dups"], stats["lost"] = len(dup), len(lost)
        stats["messages"] = len(smtp.messages)
        stats["done"] = len(checks.done_ids(all_claims))
        print("FAULTS sigkill", json.dumps(stats))  # noqa: T201
        from claims.models import Action
        from claims.models import Event

        detail = [
            list(
                Action.objects.filter(pk__in=dup).values(
                    "pk", "state", "attempts", "reason", "started_at", "done_at"
                )
            ),
            list(
                Event.objects.filter(
                    data__action__in=[
                        str(a.code) for a in Action.objects.filter(pk__in=dup)
                    ]
                ).values_list("kind", "at", "message")
            ),
            [m for m in smtp.messages if set(m) & set(dup)],
            stats,
        ]
        assert dup == [], f"sent twice: {dup} {detail}"
        assert lost == [], f"done but never sent: {lost}"
        assert extra == [], f"sent but not done: {extra}"
        assert stats["done"] == len(all_claims)
    finally:
        w.stop()
