"""Benchmark of ``seed_demo``: N claims written in bulk (issue 2: well under a minute).

median: wall time of seed_demo(n_claims) on an emptied database.
floor: the same number of claim rows written by one ``INSERT … SELECT
generate_series`` (PostgreSQL): what the database alone needs for the claims.
"""

from __future__ import annotations

import time

from django.db import connection
from django.db import transaction

FLOOR_SQL = """
INSERT INTO claims_claim (code, creditor_id, debtor_id, reference, structured_reference,
    currency, status, stage, stage_entered_on, resume_stage, closed_reason,
    terms_reference, has_debtor_writing, is_regular_supply, first_reminder_channel,
    principal, paid, balance, due_principal, due_interest, due_costs,
    created_at, updated_at)
SELECT gen_random_uuid(), %(creditor)s, %(debtor)s, 'FLOOR-' || g, '', 'EUR', 'open',
    'amicable', CURRENT_DATE, '', '', '', false, false, '', 100, 0, 100, 100, 0, 0,
    now(), now()
FROM generate_series(1, %(n)s) AS g
"""


class _Rollback(Exception):
    pass


def _floor(n_claims: int) -> float | None:
    """Time to insert the claim rows alone, rolled back afterwards."""
    if connection.vendor != "postgresql":
        return None
    from claims.models import Claim

    claim = Claim.objects.select_related("debtor").first()
    if claim is None:
        return None
    started = time.perf_counter()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                params = {"creditor": claim.creditor_id, "debtor": claim.debtor_id}
                cursor.execute(FLOOR_SQL, {**params, "n": n_claims})
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        return elapsed


def run(n_claims: int) -> list[dict]:
    from bench import _data
    from claims.demo import seed_demo

    _data.empty()
    started = time.perf_counter()
    result = seed_demo(
        n_claims=n_claims, today=_data.TODAY, seed=_data.SEED, engine=False
    )
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _data.mark(n_claims)  # the shared dataset: later modules reuse it
    rows = result.claims + result.invoices + result.payments + result.events
    return [
        {
            "measurement": f"seed_demo {n_claims:,} claims ({rows:,} ledger rows)",
            "median": elapsed,
            "floor": _floor(n_claims),
            "runs": 1,
        }
    ]
