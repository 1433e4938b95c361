"""Batch delivery at scale, the shape measured against Tryton's dunning (issue 16).

N debtors (N = the scale, at most ``BENCH_BATCH_DEBTORS``, default 10,000),
one business claim each with one invoice 40 days late; their first reminder
by e-mail (no PDF) is due today. Each measurement builds that book afresh
(the database is emptied: this module runs last) and times, with real
commits:

- **decide + execute, no-op deliverer**: ``collection_plan`` (what is due)
  then ``actions_deliver_batch`` batch after batch (claim, intent, done
  marks, events, figures); floor: one UPDATE marking the same actions done
  plus one INSERT of one event per action (the writes any engine must do);
- **decide + send by e-mail**: the same with the letters deliverer (render,
  OutboundMessage, portal link, journal) to aiosmtpd on loopback; floor:
  the same number of pre-rendered messages over one connection of the same
  SMTP backend, plus the no-op floor;
- **2 workers**: the same e-mail run with the batches shared by two
  processes (separate PostgreSQL connections, ``SKIP LOCKED``), wall clock.

Figures are per debtor (ms). Targets (issue 16): no-op ≤ 1 ms, e-mail ≤ 8 ms.
Tryton 8 (Create Dunnings + Process Dunning, same work, measured elsewhere):
28–48 ms per debtor with e-mail, 5.3 ms without.
"""

from __future__ import annotations

import logging
import os
import resource
import time
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db import connections
from django.db import transaction
from django.utils import timezone

from bench import _data
from bench.delivery import _floor
from bench.delivery import received_again
from bench.delivery import smtp_sink
from bench.tick import reset
from claims.engine import execution
from claims.engine.execution import DeliveryResult

DESTRUCTIVE = True
MAX_DEBTORS = int(os.environ.get("BENCH_BATCH_DEBTORS", "10000"))
WORKERS = 2


def build(n: int) -> None:
    """n debtors with an e-mail address, one claim and one overdue invoice each."""
    from claims.engine.collection import claims_plan
    from claims.models import Action
    from claims.models import Claim
    from claims.models import Creditor
    from claims.models import Debtor
    from claims.models import Invoice
    from claims.models import ScenarioStep

    reset()
    today = timezone.localdate()
    due = today - timedelta(days=40)
    creditor = Creditor.objects.create(
        legal_name="Bench Batch SRL",
        enterprise_number="0403170701",
        iban="BE68539007547034",
        email="compta@bench.test",
        send_hour=0,
        emails_on_non_working_days=True,
    )
    debtors = Debtor.objects.bulk_create(
        (
            Debtor(
                creditor=creditor, name=f"Client {i} SRL", email=f"ap{i}@client.test"
            )
            for i in range(n)
        ),
        batch_size=5000,
    )
    claims = Claim.objects.bulk_create(
        (
            Claim(
                creditor=creditor,
                debtor=d,
                reference=f"BATCH-{i}",
                principal=Decimal("1210.00"),
                balance=Decimal("1210.00"),
                oldest_due_date=due,
            )
            for i, d in enumerate(debtors)
        ),
        batch_size=5000,
    )
    Invoice.objects.bulk_create(
        (
            Invoice(
                creditor=creditor,
                claim=c,
                number=f"F-{i}",
                issue_date=due - timedelta(days=30),
                due_date=due,
                amount=Decimal("1210.00"),
            )
            for i, c in enumerate(claims)
        ),
        batch_size=5000,
    )
    first = ScenarioStep.objects.filter(kind="first_reminder")
    first.update(channel="email", attach_pdf=False, attach_invoices=False)
    claims_plan(claim_ids=[c.pk for c in claims])
    # Only the first reminder, due today (the harness shape).
    with connection.cursor() as cur:  # a fresh book: nothing refers to them yet
        cur.execute(
            "DELETE FROM claims_action a USING claims_scenariostep s"
            " WHERE a.step_id = s.id AND s.kind <> 'first_reminder'"
        )
    Action.objects.filter(claim__creditor=creditor).update(due_on=today)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def _deliveries():
    from claims.engine.run import collection_plan

    plan = collection_plan(now=timezone.now())
    return plan.deliveries


def _execute(deliveries, size: int) -> int:
    from claims.engine.run import actions_deliver_batch
    from claims.engine.run import batches

    done = 0
    for chunk in batches(deliveries, size):
        done += len(actions_deliver_batch(chunk).done)
    return done


def _cpu() -> float:
    """CPU seconds of this thread plus the finished worker processes: the
    work itself (the SMTP server's thread excluded), which the machine's load
    inflates much less than the wall clock."""
    return time.thread_time() + sum(
        getattr(resource.getrusage(resource.RUSAGE_CHILDREN), f)
        for f in ("ru_utime", "ru_stime")
    )


def _timed_run(n: int, size: int, workers: int = 1) -> tuple[float, int, float]:
    """(seconds for decide + execute, actions done, CPU seconds), real commits."""
    build(n)
    if not connection.in_atomic_block:  # the smoke test runs in its transaction
        connection.close()
    started, cpu = time.perf_counter(), _cpu()
    deliveries = _deliveries()
    if workers == 1:
        done = _execute(deliveries, size)
    else:
        done = _parallel(deliveries, size, workers)
    return time.perf_counter() - started, done, _cpu() - cpu


def _parallel(deliveries, size: int, workers: int) -> int:
    """The batches shared by ``workers`` forked processes (own connections)."""
    from claims.engine.run import batches

    chunks = batches(deliveries, size)
    connections.close_all()
    pids = []
    for w in range(workers):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            code = 0
            try:
                for chunk in chunks[w::workers]:
                    from claims.engine.run import actions_deliver_batch

                    actions_deliver_batch(chunk)
            except BaseException:
                logging.getLogger(__name__).exception("bench worker failed")
                code = 1
            finally:
                connections.close_all()
                os._exit(code)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    from claims.models import Action

    return Action.objects.filter(state="done").count()


def _noop_floor(n: int) -> float:
    """The writes any engine must do: the actions marked done, one event each."""
    with transaction.atomic(), connection.cursor() as cur:
        t = time.perf_counter()
        cur.execute(
            "UPDATE claims_action SET state = 'done', done_at = now()"
            " WHERE state = 'planned'"
        )
        cur.execute(
            "INSERT INTO claims_event (creditor_id, claim_id, kind, message,"
            " actor_label, data, at)"
            " SELECT creditor_id, claim_id, 'action_done', 'bench',"
            " 'bench', '{}'::jsonb, now() FROM claims_action WHERE state = 'done'"
        )
        elapsed = time.perf_counter() - t
        transaction.set_rollback(True)
    return elapsed


def run(n_claims: int) -> list[dict]:
    _data.guard()
    n = min(n_claims, MAX_DEBTORS)
    size = getattr(settings, "COLLECTION_BATCH_SIZE", 200)
    out = []
    # 1. no-op deliverer
    previous = execution._deliverer
    execution.register_deliverer(
        lambda d: DeliveryResult(delivered=True, channel="email")
    )
    try:
        elapsed, done, cpu = _timed_run(n, size)
    finally:
        execution._deliverer = previous
    build(n)
    floor = _noop_floor(n)
    out.append(
        {
            "measurement": f"batch: decide + execute {n:,} debtors, no-op deliverer (per debtor)",
            "key": "batch: decide + execute, no-op (per debtor)",
            "median": elapsed / n,
            "floor": floor / n,
            "runs": 1,
            "n": n,
            "done": done,
            "batch_size": size,
            "total_s": elapsed,
            "cpu_per_debtor": cpu / n,
            "target": "<= 1 ms per debtor",
            "met": elapsed / n <= 0.001,
        }
    )
    # 2. e-mail, one worker, then two
    with smtp_sink(timeout=30) as sink:
        elapsed, done, cpu1 = _timed_run(n, size)
        received = len(sink.received)
        smtp_floor = _floor(received_again(sink, n))
        sink.received.clear()
        # Forked workers need committed data: not inside the smoke test's
        # transaction (there, the same run in one process stands in).
        workers = 1 if connection.in_atomic_block else WORKERS
        elapsed2, done2, cpu2 = _timed_run(n, size, workers=workers)
        received2 = len(sink.received)
    if received != n or received2 != n or done != n or done2 != n:
        raise AssertionError(
            f"expected {n} messages and done actions: {received}, {received2},"
            f" {done}, {done2}"
        )
    email_floor = (smtp_floor + floor) / n
    out.append(
        {
            "measurement": f"batch: decide + send {n:,} first reminders by e-mail (per debtor)",
            "key": "batch: decide + send by e-mail (per debtor)",
            "median": elapsed / n,
            "floor": email_floor,
            "runs": 1,
            "n": n,
            "messages": received,
            "batch_size": size,
            "total_s": elapsed,
            "cpu_per_debtor": cpu1 / n,
            "target": "<= 8 ms per debtor",
            "met": elapsed / n <= 0.008,
        }
    )
    out.append(
        {
            "measurement": f"batch: decide + send {n:,} by e-mail, {WORKERS} workers (per debtor, wall clock)",
            "key": "batch: decide + send by e-mail, 2 workers (per debtor)",
            "median": elapsed2 / n,
            "floor": email_floor,
            "runs": 1,
            "n": n,
            "messages": received2,
            "batch_size": size,
            "total_s": elapsed2,
            "cpu_per_debtor": cpu2 / n,
            "speedup_vs_1": elapsed / elapsed2 if elapsed2 else None,
            "load_average": os.getloadavg(),
        }
    )
    _data.invalidate()
    return out
