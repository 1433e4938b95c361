"""Two beats by mistake (two servers, two schedules): still nothing sent twice."""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.db import connection

from claims.engine.run import collection_enqueue
from tests.reliability import checks
from tests.reliability.conftest import due_claims
from tests.reliability.harness import Proc
from tests.reliability.harness import wait_until
from tests.reliability.harness import worker
from tests.reliability.harness import worker_env

pytestmark = [pytest.mark.slow, pytest.mark.faults]


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_and_two_beat_processes_send_once(
    engine_seed, smtp, broker, tmp_path
):
    env = worker_env(broker=broker, smtp_port=smtp.port)
    w = worker(env, tmp_path / "worker.log", "beats").start()
    beats = []
    try:
        # 1. Two ticks at the same instant (threads, two connections).
        first = [c.pk for c in due_claims(12, debtors=6)]
        go = threading.Barrier(2)
        counts: list[int] = []

        def tick():
            go.wait()
            counts.append(collection_enqueue())
            connection.close()

        threads = [threading.Thread(target=tick) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert wait_until(lambda: checks.converged(first), 60)
        # 2. Two real beat processes ticking every second, own schedule files.
        second = [c.pk for c in due_claims(12, debtors=6)]
        for i in range(2):
            (tmp_path / f"beat{i}").mkdir()
            benv = dict(
                env, COLLECTION_TICK_SECONDS="1", VAR_DIR=str(tmp_path / f"beat{i}")
            )
            beats.append(
                Proc(["beat", "-l", "warning"], benv, tmp_path / f"beat{i}.log").start()
            )
        assert wait_until(lambda: checks.converged(second), 60)
        time.sleep(4)  # both beats keep ticking over the finished work
        assert all(b.alive for b in beats)
        sent = smtp.sent_ids()
        dup, lost, extra = checks.exactly_once(sent, first + second)
        print(  # noqa: T201
            "FAULTS beats",
            json.dumps(
                {
                    "enqueued_by_thread_ticks": counts,
                    "messages": len(smtp.messages),
                    "done": len(checks.done_ids(first + second)),
                    "dups": len(dup),
                }
            ),
        )
        assert dup == []
        assert lost == []
        assert extra == []
        assert len(smtp.messages) == 12  # one per debtor and run
    finally:
        for b in beats:
            b.stop()
        w.stop()
