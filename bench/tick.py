"""Path 1, the collection tick on PostgreSQL: ``run(n_claims)`` (bench contract).

Builds N open claims with bulk_create (90 % already planned, nothing due;
10 % new, their first reminder due today), then measures (median of runs,
writes rolled back between runs):
- selecting the due actions (``actions_due``), against a floor: ONE
  hand-written SQL statement selecting the same rows (checked equal);
- the whole tick: planning the new claims + selecting + grouping (target
  < 10 s for 10,000 due actions among 100,000 claims), against the same floor;
- actions executed per second through ``actions_deliver_batch`` (batches of
  ``COLLECTION_BATCH_SIZE`` debtors) with a no-op deliverer.
The database is emptied first (so this module runs after the readers of the
shared dataset, and invalidates it); it refuses a name without "bench".

    DATABASE_URL=postgres://…/recouvrement_bench python -m bench --only tick
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.db import transaction

from bench import _data
from claims.engine import execution
from claims.engine.collection import claims_plan
from claims.engine.execution import DeliveryResult
from claims.engine.run import actions_deliver_batch
from claims.engine.run import actions_due
from claims.engine.run import batches
from claims.engine.run import claims_unplanned
from claims.engine.run import creditors_due
from claims.engine.run import group_by_debtor
from claims.engine.seed import seed_engine
from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor

DESTRUCTIVE = True  # the runner runs it after the modules sharing the dataset
RUNS = 5
PLAN_RUNS = 3
EXECUTE = 500
TZ = ZoneInfo("Europe/Brussels")
FLOOR_SQL = """
SELECT a.id, a.creditor_id, a.debtor_id
FROM claims_action a
JOIN claims_claim c ON c.id = a.claim_id
JOIN claims_scenariostep s ON s.id = a.step_id
WHERE a.state = 'planned' AND a.due_on <= %s AND a.creditor_id = ANY(%s)
  AND c.status = 'open' AND c.stage IN ('amicable', 'formal_notice')
  AND (c.paused_until IS NULL OR c.paused_until < %s)
  AND s.channel <> 'call'
ORDER BY a.creditor_id, a.debtor_id, a.id
"""


def reset() -> None:
    _data.guard()
    _data.invalidate()
    call_command("migrate", verbosity=0)
    with _data.settled(), connection.cursor() as cur:
        cur.execute(
            "TRUNCATE claims_action, claims_event, claims_invoice, claims_payment,"
            " claims_claim, claims_debtor, claims_creditor CASCADE"
        )
    # TRUNCATE … CASCADE also emptied the scenarios (they reference creditors).
    seed_engine(django_apps, None)


def build(n_claims: int, today: datetime, creditors: int = 20) -> None:
    cr = Creditor.objects.bulk_create(
        Creditor(
            legal_name=f"Bench {i}",
            enterprise_number="0403170701",
            iban="BE68539007547034",
            email=f"b{i}@bench.test",
            send_hour=9,
        )
        for i in range(creditors)
    )
    debtors = Debtor.objects.bulk_create(
        (
            Debtor(creditor=cr[i % creditors], name=f"D{i}")
            for i in range(n_claims // 10)
        ),
        batch_size=5000,
    )
    new = n_claims // 10
    day = today.date()
    claims = (
        Claim(
            creditor_id=debtors[i % len(debtors)].creditor_id,
            debtor=debtors[i % len(debtors)],
            reference=f"BENCH-{i}",
            principal=Decimal("100.00"),
            balance=Decimal("100.00"),
            # the new 10 %: due 3 days ago → BE-B2B first reminder due today;
            # the others: due in 10 days → nothing due.
            oldest_due_date=day - timedelta(days=3)
            if i < new
            else day + timedelta(days=10),
        )
        for i in range(n_claims)
    )
    Claim.objects.bulk_create(claims, batch_size=5000)
    claims_plan(
        claim_ids=Claim.objects.filter(reference__regex=r"^BENCH-")
        .exclude(oldest_due_date__lt=day)
        .values("pk")
    )


def timed(fn, *args, **kw):
    t = time.perf_counter()
    result = fn(*args, **kw)
    return result, time.perf_counter() - t


class _Rollback(Exception):
    pass


def _tick(now: datetime):
    """The tick's work: creditors due, plan the unplanned, select, group."""
    days = creditors_due(now=now)
    planned = claims_plan(claim_ids=claims_unplanned(creditor_ids=list(days)))
    rows = actions_due(creditor_days=days)
    return days, planned, rows, group_by_debtor(rows)


def _tick_rolled_back(now: datetime) -> float:
    try:
        with transaction.atomic():
            _, elapsed = timed(_tick, now)
            raise _Rollback
    except _Rollback:
        return elapsed


def _floor(day, creditor_ids) -> tuple[list, float]:
    with connection.cursor() as cur:
        t = time.perf_counter()
        cur.execute(FLOOR_SQL, [day, list(creditor_ids), day])
        rows = cur.fetchall()
        return rows, time.perf_counter() - t


def _working_day_now() -> datetime:
    """10:00 on the next day that is a working day in Belgium and France: the
    engine sends nothing on weekends and public holidays (claims.law.calendar)."""
    from datetime import timedelta

    from claims.law.calendar import is_working_day

    now = datetime.now(TZ).replace(hour=10, minute=0, second=0, microsecond=0)
    while not (is_working_day(now.date(), "BE") and is_working_day(now.date(), "FR")):
        now += timedelta(days=1)
    return now


def run(n_claims: int) -> list[dict]:
    now = _working_day_now()
    day = now.date()
    reset()
    _, t_build = timed(build, n_claims, now)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    tick_runs = [_tick_rolled_back(now) for _ in range(PLAN_RUNS)]
    (days, planned, rows, deliveries), t_last = timed(_tick, now)
    tick_runs.append(t_last)
    with connection.cursor() as cur:
        cur.execute("ANALYZE claims_action")

    select_runs = [timed(actions_due, creditor_days=days)[1] for _ in range(RUNS)]
    floor_runs = []
    for _ in range(RUNS):
        floor_rows, t = _floor(day, days)
        floor_runs.append(t)
    if [r[0] for r in floor_rows] != [r[0] for r in rows]:
        raise AssertionError("the floor SQL does not select the same rows")
    floor = statistics.median(floor_runs)
    n_due = len(rows)

    previous = execution._deliverer
    execution.register_deliverer(
        lambda d: DeliveryResult(delivered=True, channel="email")
    )
    sample, done = [], 0
    for c, d, ids, today in deliveries:
        if done >= EXECUTE:
            break
        sample.append((c, d, ids, today))
        done += len(ids)
    t = time.perf_counter()
    try:
        n = sum(len(actions_deliver_batch(chunk).done) for chunk in batches(sample))
    finally:  # the no-op deliverer is for this measurement only
        execution._deliverer = previous
    t_exec = time.perf_counter() - t
    tick = statistics.median(tick_runs)
    return [
        {
            "measurement": f"tick: select {n_due:,} due actions (ORM)",
            "median": statistics.median(select_runs),
            "floor": floor,
            "runs": RUNS,
            "target": "<= 3 x floor",
            "met": statistics.median(select_runs) <= 3 * floor,
            "n": n_due,
        },
        {
            "measurement": f"tick: plan {planned:,} new + select + group {n_due:,}",
            "median": tick,
            "floor": floor,
            "runs": len(tick_runs),
            "target": "< 10 s",
            "met": tick < 10,
            "build_s": t_build,
            "n": n_due,
        },
        {
            "measurement": f"tick: execute {n:,} actions (no-op deliverer)",
            "median": n / t_exec if t_exec else None,
            "floor": None,
            "unit": "actions/s",
            "runs": 1,
            "n": n,
        },
    ]
