"""``python -m bench [--claims N] [--only NAME …]``: run every benchmark module.

Every ``bench/<name>.py`` (names starting with ``_`` excluded) exposing
``run(n_claims: int) -> list[dict]`` is imported and run in turn, on the
database of ``DATABASE_URL`` (its name must contain "bench": modules may empty
it). One table is printed (measurement, median, floor, ratio) and the results
are written as JSON to ``var/bench/results.json``. The contract is in
bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recouvrement.settings_test")

ROOT = Path(__file__).resolve().parent.parent


def _ensure_database() -> str:
    """Create (PostgreSQL) and migrate the bench database; return its name."""
    import django
    from django.core.management import call_command
    from django.db import connection
    from django.db.utils import OperationalError

    django.setup()
    name = str(connection.settings_dict["NAME"])
    if "bench" not in Path(name).name:
        sys.exit(f"Refusing to benchmark on {name!r}: its name must contain 'bench'.")
    try:
        connection.ensure_connection()
    except OperationalError:
        if connection.vendor != "postgresql":
            raise
        import psycopg

        sd = connection.settings_dict
        params = {
            "host": sd["HOST"] or None,
            "port": sd["PORT"] or None,
            "user": sd["USER"] or None,
            "password": sd["PASSWORD"] or None,
            "dbname": "postgres",
        }
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0, interactive=False)
    return name


def _modules(only: list[str]) -> list[str]:
    here = Path(__file__).resolve().parent
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(here)])
        if not m.name.startswith("_") and not m.ispkg
    )
    return [n for n in names if not only or n in only]


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _normalise(module: str, row: dict[str, Any]) -> dict[str, Any]:
    out = {"module": module, **row}
    floor, median = out.get("floor"), out.get("median")
    if out.get("ratio") is None and floor and median is not None:
        out["ratio"] = median / floor
    out.setdefault("unit", "s")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "--claims", type=int, default=int(os.environ.get("BENCH_CLAIMS", "100000"))
    )
    parser.add_argument("--only", nargs="*", default=[], help="module names")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "var" / "bench" / "results.json"
    )
    args = parser.parse_args(argv)
    database = _ensure_database()
    results: list[dict[str, Any]] = []
    failures = 0
    for name in _modules(args.only):
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "run", None)
        if not callable(run):
            print(f"bench.{name}: no run(n_claims) -> list[dict]; skipped")
            continue
        started = time.perf_counter()
        try:
            rows = run(args.claims)
        except Exception as exc:
            failures += 1
            print(f"bench.{name} failed: {exc!r}")
            continue
        print(f"bench.{name}: {time.perf_counter() - started:.1f} s")
        results += [_normalise(name, row) for row in rows]
    _print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"database": database, "n_claims": args.claims, "results": results}
    args.out.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    print(f"\nResults written to {args.out}")
    return 1 if failures else 0


def _print_table(results: list[dict[str, Any]]) -> None:
    header = ("measurement", "median", "floor", "ratio", "unit")
    rows = [
        (
            str(r.get("measurement", r["module"])),
            _fmt(r.get("median")),
            _fmt(r.get("floor")),
            _fmt(r.get("ratio")),
            str(r.get("unit", "s")),
        )
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)] if rows else [len(h) for h in header]  # fmt: skip
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    sys.exit(main())
