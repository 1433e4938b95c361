"""Benchmark of the collection tick on PostgreSQL (a report, not a timed test).

    DATABASE_URL=postgres://…/recouvrement_bench python -m bench.tick [--claims N]

Builds N open claims with bulk_create (90 % already planned, nothing due;
10 % new, their first reminder due today), then measures:
- planning the new claims + selecting the due actions (the tick's work);
- a floor: ONE hand-written SQL statement selecting the same rows, and the ratio;
- actions executed per second through ``actions_deliver`` with a no-op deliverer.
Target (issue 4): select and plan 10,000 due actions among 100,000 claims < 10 s.
The database is emptied first: it refuses to run on a name without "bench".
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recouvrement.settings_test")

import django

django.setup()

from django.apps import apps as django_apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from claims import execution  # noqa: E402
from claims.execution import DeliveryResult  # noqa: E402
from claims.models import Claim  # noqa: E402
from claims.models import Creditor  # noqa: E402
from claims.models import Debtor  # noqa: E402
from claims.seed_engine import seed_engine  # noqa: E402
from claims.services_collection import claims_plan  # noqa: E402
from claims.services_run import actions_deliver  # noqa: E402
from claims.services_run import actions_due  # noqa: E402
from claims.services_run import claims_unplanned  # noqa: E402
from claims.services_run import creditors_due  # noqa: E402
from claims.services_run import group_by_debtor  # noqa: E402

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
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(
            f"Refusing to empty database {name!r}: use a *bench* database."
        )
    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--claims", type=int, default=int(os.environ.get("BENCH_CLAIMS", 100_000))
    )
    parser.add_argument("--execute", type=int, default=2000, help="actions to deliver")
    args = parser.parse_args()
    now = datetime.now(TZ).replace(hour=10, minute=0, second=0, microsecond=0)
    reset()
    _, t_build = timed(build, args.claims, now)
    print(f"built {args.claims} open claims in {t_build:.1f} s")

    days, t_cred = timed(creditors_due, now=now)
    planned, t_plan = timed(
        claims_plan, claim_ids=claims_unplanned(creditor_ids=list(days))
    )
    rows, t_select = timed(actions_due, creditor_days=days)
    deliveries, t_group = timed(group_by_debtor, rows)
    total = t_cred + t_plan + t_select + t_group
    print(f"planned {planned} new claims in {t_plan:.2f} s")
    print(
        f"selected {len(rows)} due actions for {len(deliveries)} debtors in "
        f"{t_select:.2f} s (+ group {t_group:.3f} s, creditors {t_cred:.3f} s)"
    )
    print(
        f"tick total (plan + select): {total:.2f} s  target < 10 s: "
        f"{'OK' if total < 10 else 'MISSED'}"
    )

    day = now.date()
    with connection.cursor() as cur:
        t = time.perf_counter()
        cur.execute(FLOOR_SQL, [day, list(days), day])
        floor_rows = cur.fetchall()
        t_floor = time.perf_counter() - t
    assert [r[0] for r in floor_rows] == [r[0] for r in rows], "floor differs"
    print(
        f"floor (one hand-written SQL, same {len(floor_rows)} rows): {t_floor:.3f} s; "
        f"ORM selection / floor = {t_select / t_floor:.2f}"
    )

    execution.register_deliverer(
        lambda d: DeliveryResult(delivered=True, channel="email")
    )
    sample, done = [], 0
    for c, d, ids, today in deliveries:
        if done >= args.execute:
            break
        sample.append((c, d, ids, today))
        done += len(ids)
    t = time.perf_counter()
    n = sum(
        len(
            actions_deliver(
                creditor_id=c, debtor_id=d, action_ids=ids, today=today
            ).done
        )
        for c, d, ids, today in sample
    )
    t_exec = time.perf_counter() - t
    print(
        f"executed {n} actions ({len(sample)} debtors, no-op deliverer) in {t_exec:.2f} s: "
        f"{n / t_exec:.0f} actions/s per worker"
    )


if __name__ == "__main__":
    main()
