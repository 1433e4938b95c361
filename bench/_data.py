"""The shared benchmark dataset: N claims with a year of events and payments.

``dataset(n_claims)`` seeds the bench database once per N with
:func:`claims.demo.seed_demo` (COPY-based: two creditors, Liège and Lyon, their
debtors, invoices, payments and events over the past year) and records what it
wrote in a one-row marker table. The next call with the same N reuses the data
("builds or reuses"), across modules and across runs. A module that changes
the data beyond recognition (the tick empties the database) calls
:func:`invalidate` so the next reader reseeds.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.core.management import call_command
from django.db import connection

TODAY = date(2026, 11, 26)
SEED = 2026


@dataclass(frozen=True)
class Dataset:
    n_claims: int
    today: date
    creditor_ids: tuple[int, ...]
    seeded_in: float | None  # seconds, None when reused


def guard() -> None:
    """Refuse to empty a database whose name says it is not for benchmarks."""
    name = str(connection.settings_dict["NAME"])
    test_name = connection.settings_dict.get("TEST", {}).get("NAME") or ""
    allowed = "bench" in name or name.startswith("test_") or name == test_name
    if not allowed:
        raise SystemExit(
            f"Refusing to empty database {name!r}: use a *bench* database."
        )


def _marker_n() -> int | None:
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_dataset (n integer, seed integer, today date)"
        )
        cur.execute("SELECT n, seed, today FROM bench_dataset")
        row = cur.fetchone()
    if row is None or row[1] != SEED or row[2] != TODAY:
        return None
    return int(row[0])


def mark(n_claims: int) -> None:
    """Record that the database holds the shared dataset of ``n_claims``."""
    with connection.cursor() as cur:
        _marker_n()  # creates the table
        cur.execute("DELETE FROM bench_dataset")
        cur.execute(
            "INSERT INTO bench_dataset (n, seed, today) VALUES (%s, %s, %s)",
            [n_claims, SEED, TODAY],
        )


def invalidate() -> None:
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_dataset")


def _creditor_ids() -> tuple[int, ...]:
    from claims.models import Creditor

    return tuple(Creditor.objects.order_by("pk").values_list("pk", flat=True))


@contextmanager
def settled():
    """Inside a transaction (the smoke test), fire the deferred FK checks
    before emptying tables (PostgreSQL refuses to TRUNCATE a table with pending
    trigger events), then defer them again as Django declares them."""
    inside = connection.in_atomic_block and connection.vendor == "postgresql"
    if inside:
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    if inside:
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL DEFERRED")


def empty() -> None:
    """Empty every table, then replay the data migrations (scenarios, rates…).

    ``flush`` also removes the reference rows the data migrations wrote; each
    ``RunPython`` forward function is run again, in migration order, with the
    current apps (they are written to be idempotent).
    """
    from django.apps import apps as django_apps
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.operations.special import RunPython

    guard()
    invalidate()
    with settled():
        call_command("flush", interactive=False, verbosity=0)
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    for key in _plan(graph):
        migration = executor.loader.graph.nodes[key]
        for operation in migration.operations:
            if isinstance(operation, RunPython):
                with connection.schema_editor() as editor:
                    operation.code(django_apps, editor)


def _plan(graph) -> list:
    seen: list = []
    for leaf in graph.leaf_nodes():
        for key in graph.forwards_plan(leaf):
            if key not in seen:
                seen.append(key)
    return seen


def seed(n_claims: int) -> float:
    """Empty the database and seed ``n_claims``; return the seconds it took."""
    from claims.demo import seed_demo

    empty()
    started = time.perf_counter()
    # The set-based book at every scale (its history derived, not played).
    seed_demo(n_claims=n_claims, today=TODAY, seed=SEED, engine=False)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cur:
        # The steady state autovacuum keeps in production: statistics, and a
        # visibility map that lets index-only scans skip the table (a fresh
        # COPY has none). Inside a transaction (the smoke test) only ANALYZE.
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cur.execute("VACUUM (ANALYZE)")
        else:
            cur.execute("ANALYZE")
    mark(n_claims)
    return elapsed


def dataset(n_claims: int) -> Dataset:
    """The shared dataset of ``n_claims`` claims, seeded unless already there."""
    from claims.models import Claim

    if _marker_n() == n_claims and Claim.objects.count() == n_claims:
        return Dataset(n_claims, TODAY, _creditor_ids(), None)
    elapsed = seed(n_claims)
    return Dataset(n_claims, TODAY, _creditor_ids(), elapsed)
