"""Redis stopped during a run and started again (empty): nothing lost or doubled,
the web app keeps answering and says the queue is unavailable meanwhile."""

from __future__ import annotations

import json
import subprocess
import time

import pytest
from django.urls import reverse

from claims.engine.queue import queue_status
from claims.engine.run import collection_enqueue
from tests.reliability import checks
from tests.reliability.conftest import due_claims
from tests.reliability.conftest import use_broker
from tests.reliability.harness import free_port
from tests.reliability.harness import wait_until
from tests.reliability.harness import worker
from tests.reliability.harness import worker_env

pytestmark = [pytest.mark.slow, pytest.mark.faults]
BANNER = "data-queue-unavailable"


def _redis(port: int, tmp) -> subprocess.Popen:
    p = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            str(tmp),
        ],
        stdout=subprocess.DEVNULL,
    )
    assert wait_until(
        lambda: (
            subprocess.run(
                ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True
            ).stdout.strip()
            == "PONG"
        ),
        10,
    )
    return p


@pytest.mark.django_db(transaction=True)
def test_redis_stop_and_start_loses_nothing_and_the_web_answers(
    engine_seed, smtp, cast, client, settings, tmp_path
):
    settings.COLLECTION_STALE_RUNNING_SECONDS = 3
    settings.QUEUE_STATUS_CACHE_SECONDS = 0
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = _redis(port, tmp_path)
    app, before = use_broker(url)
    w = worker(worker_env(broker=url, smtp_port=smtp.port), tmp_path / "w.log", "rs")
    w.start()
    client.force_login(cast.owner)
    dashboard = reverse("claims:dashboard")
    figures: dict = {}
    try:
        warm = [c.pk for c in due_claims(1)]
        collection_enqueue()
        assert wait_until(lambda: checks.converged(warm), 60)
        assert BANNER not in client.get(dashboard).content.decode()
        claims = [c.pk for c in due_claims(12, debtors=6)]
        collection_enqueue()
        time.sleep(0.1)  # mid-run
        server.terminate()
        server.wait(10)
        # Redis is down: pages answer, with the banner; ticks fail, harmlessly.
        assert not queue_status(refresh=True).available, (
            app.conf.broker_url,
            queue_status(refresh=True),
        )
        latencies, tick_errors = [], 0
        for _ in range(10):
            t0 = time.monotonic()
            r = client.get(dashboard)
            latencies.append(time.monotonic() - t0)
            assert r.status_code == 200
            assert BANNER in r.content.decode()
        for _ in range(2):
            try:
                collection_enqueue()
            except Exception:
                tick_errors += 1
        figures["done_while_down"] = len(checks.done_ids(claims))
        server = _redis(port, tmp_path)  # back, and empty
        t_up = time.monotonic()

        def tick():
            if checks.converged(claims):
                return True
            collection_enqueue()
            return False

        assert wait_until(tick, 90, step=0.5)
        figures["recovered_s"] = round(time.monotonic() - t_up, 2)
        assert queue_status(refresh=True).available
        assert BANNER not in client.get(dashboard).content.decode()
        dup, lost, extra = checks.exactly_once(smtp.sent_ids(), claims)
        figures |= {
            "dashboard_ms_while_down": [round(x * 1000) for x in latencies],
            "tick_errors_while_down": tick_errors,
            "messages": len(smtp.messages) - 1,
            "dups": len(dup),
        }
        print("FAULTS redis_stop", json.dumps(figures))  # noqa: T201
        assert (dup, lost, extra) == ([], [], [])
        assert len(smtp.messages) - 1 == 6
    finally:
        w.stop()
        server.terminate()
        server.wait(10)
        app.conf.broker_url, app.conf.broker_transport_options = before
        app._pool = None
        app.amqp._producer_pool = None
