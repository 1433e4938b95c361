"""Statements per second for one claim (3 invoices, 2 payments, 2 years).

Run: ``.venv/bin/python -m bench.statements``. Measures the pure engine
(``claims.law.statement.compute_statement``) against a floor: the same number
of interest lines computed in a bare Decimal loop, and prints the ratio.
Each run is timed twice: wall clock (``perf_counter``) and the CPU time of the
process (``process_time``); on a shared machine the wall clock also counts the
waits for a core, so "per core" is the CPU figure.
Not a test: figures depend on the machine.
"""

from __future__ import annotations

import os
import time
from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal

from claims.law.rates import RateTable
from claims.law.seed import seed_values
from claims.law.statement import ClaimFacts
from claims.law.statement import compute_statement
from claims.law.types import InvoiceFacts
from claims.law.types import PaymentFacts

FACTS = ClaimFacts(
    country="BE",
    debtor_kind="business",
    invoices=(
        InvoiceFacts("F1", date(2024, 1, 2), date(2024, 2, 1), Decimal("1210.00")),
        InvoiceFacts("F2", date(2024, 2, 2), date(2024, 3, 3), Decimal("845.50")),
        InvoiceFacts("F3", date(2024, 3, 2), date(2024, 4, 1), Decimal("2399.99")),
    ),
    payments=(
        PaymentFacts(date(2024, 9, 15), Decimal("500.00")),
        PaymentFacts(date(2025, 4, 10), Decimal("1000.00")),
    ),
)
AT = date(2026, 1, 31)


def _rate(n: int, seconds: float) -> float:
    return n / seconds


def bench_engine(table: RateTable, n: int) -> tuple[float, float]:
    """(statements per second of wall clock, per second of CPU time)."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        compute_statement(FACTS, table, AT)
    return _rate(n, time.perf_counter() - start), _rate(n, time.process_time() - cpu)


def bench_floor(
    lines: list[tuple[Decimal, Decimal, int]], n: int
) -> tuple[float, float]:
    cent, divisor = Decimal("0.01"), Decimal("36500")
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        total = Decimal(0)
        for base, rate, days in lines:
            total += (base * rate * days / divisor).quantize(cent, ROUND_HALF_UP)
    return _rate(n, time.perf_counter() - start), _rate(n, time.process_time() - cpu)


def main() -> None:
    table = RateTable(seed_values())
    s = compute_statement(FACTS, table, AT)
    lines = [(p.base, p.rate, p.days) for p in s.interest_periods]
    compute_statement(FACTS, table, AT)  # warm the rate cache
    n = 5000
    engine = [bench_engine(table, n) for _ in range(3)]
    floor = [bench_floor(lines, n) for _ in range(3)]
    wall, cpu = max(e[0] for e in engine), max(e[1] for e in engine)
    floor_wall, floor_cpu = max(f[0] for f in floor), max(f[1] for f in floor)
    print(f"interest lines per statement: {len(lines)}")
    print(f"engine: {cpu:,.0f} statements/s of CPU time (target ≥ 5,000 per core)")
    print(f"engine: {wall:,.0f} statements/s of wall clock")
    print(
        f"floor (bare Decimal loop): {floor_cpu:,.0f} /s CPU, {floor_wall:,.0f} /s wall"
    )
    print(f"ratio engine/floor (CPU): {floor_cpu / cpu:.2f}")
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()


def run(n_claims: int) -> list[dict]:
    """Bench contract (``python -m bench``): seconds for N_RUN statements.

    The pure engine does not depend on the book's size; the figure is the same
    at every scale (a check that nothing global slows it down).
    """
    import statistics

    table = RateTable(seed_values())
    s = compute_statement(FACTS, table, AT)
    lines = [(p.base, p.rate, p.days) for p in s.interest_periods]
    compute_statement(FACTS, table, AT)  # warm the rate cache
    n = 5000 if n_claims >= 1000 else 500
    engine = [bench_engine(table, n) for _ in range(5)]
    floor = [bench_floor(lines, n) for _ in range(5)]
    wall = statistics.median(n / e[0] for e in engine)
    cpu = statistics.median(n / e[1] for e in engine)
    floor_wall = statistics.median(n / f[0] for f in floor)
    floor_cpu = statistics.median(n / f[1] for f in floor)
    common = {"runs": 5, "interest_lines": len(lines), "load_average": os.getloadavg()}
    return [
        {
            "measurement": f"statements: {n:,} computed (pure engine, one core)",
            "key": "statements: computed",
            "median": wall,
            "floor": floor_wall,
            "per_second": n / wall,
            **common,
        },
        {
            "measurement": f"statements: {n:,} computed, CPU time of the process",
            "key": "statements: computed, CPU time",
            "median": cpu,
            "floor": floor_cpu,
            "per_second": n / cpu,
            "target": ">= 5,000/s per core",
            "met": n / cpu >= 5000,
            **common,
        },
    ]
