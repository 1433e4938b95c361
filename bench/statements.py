"""Statements per second for one claim (3 invoices, 2 payments, 2 years).

Run: ``.venv/bin/python -m bench.statements``. Measures the pure engine
(``claims.law.statement.compute_statement``) against a floor: the same number
of interest lines computed in a bare Decimal loop, and prints the ratio.
Not a test: figures depend on the machine.
"""

from __future__ import annotations

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


def bench_engine(table: RateTable, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        compute_statement(FACTS, table, AT)
    return _rate(n, time.perf_counter() - start)


def bench_floor(lines: list[tuple[Decimal, Decimal, int]], n: int) -> float:
    cent, divisor = Decimal("0.01"), Decimal("36500")
    start = time.perf_counter()
    for _ in range(n):
        total = Decimal(0)
        for base, rate, days in lines:
            total += (base * rate * days / divisor).quantize(cent, ROUND_HALF_UP)
    return _rate(n, time.perf_counter() - start)


def main() -> None:
    table = RateTable(seed_values())
    s = compute_statement(FACTS, table, AT)
    lines = [(p.base, p.rate, p.days) for p in s.interest_periods]
    compute_statement(FACTS, table, AT)  # warm the rate cache
    n = 5000
    engine = max(bench_engine(table, n) for _ in range(3))
    floor = max(bench_floor(lines, n) for _ in range(3))
    print(f"interest lines per statement: {len(lines)}")
    print(f"engine: {engine:,.0f} statements/s (target ≥ 5,000)")
    print(f"floor (bare Decimal loop): {floor:,.0f} /s")
    print(f"ratio engine/floor: {engine / floor:.2f}")


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
    engine = statistics.median(n / bench_engine(table, n) for _ in range(5))
    floor = statistics.median(n / bench_floor(lines, n) for _ in range(5))
    return [
        {
            "measurement": f"statements: {n:,} computed (pure engine, one core)",
            "key": "statements: computed",
            "median": engine,
            "floor": floor,
            "runs": 5,
            "per_second": n / engine,
            "target": ">= 5,000/s per core",
            "met": n / engine >= 5000,
            "interest_lines": len(lines),
        }
    ]
