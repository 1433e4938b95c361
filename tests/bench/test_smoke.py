"""Smoke run of the benchmark harness at N = 200, so that it never rots.

Not a timed test: it only checks that every module runs on the test database
and returns figures (positive medians) or says why it skipped. Everything runs
inside the test's transaction (TRUNCATE and flush are transactional on
PostgreSQL), so the test database is left as it was.
"""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from bench.__main__ import _growth
from bench.__main__ import _modules
from bench.__main__ import run_all

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmarks need PostgreSQL"
)


@pytest.mark.django_db
def test_every_module_returns_rows_with_positive_medians():
    results, failures = run_all([200])

    errors = [r for r in results if "error" in r]
    assert failures == 0, errors
    modules = {
        name
        for name in _modules([])
        if callable(getattr(importlib.import_module(f"bench.{name}"), "run", None))
    }
    assert {"pages", "seed", "tick", "delivery", "letters", "statements"} <= modules
    assert {"imports"} <= modules
    assert {r["module"] for r in results} == modules
    for row in results:
        if row.get("skipped"):
            continue
        assert row["median"] > 0, row
        assert row["n_claims"] == 200
        if row.get("floor") is not None:
            assert row["floor"] > 0, row
            assert row["ratio"] == pytest.approx(row["median"] / row["floor"])
    pages = [r for r in results if r["module"] == "pages"]
    assert len(pages) >= 5  # dashboard, list, last page, workspace, amicable or judicial
    assert all(r["queries"] > 0 for r in pages)


def test_growth_pairs_one_path_across_scales():
    rows = [
        {
            "module": "tick",
            "n_claims": 10,
            "measurement": "select 1 due",
            "median": 2.0,
        },
        {
            "module": "tick",
            "n_claims": 100,
            "measurement": "select 10 due",
            "median": 5.0,
        },
        {"module": "pages", "n_claims": 100, "measurement": "page /", "median": 1.0},
    ]
    assert _growth(rows, [10, 100]) == [("select 10 due", 2.0, 5.0, 2.5, "s")]
