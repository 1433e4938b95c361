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
import re
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
    """Module names; the destructive ones (``DESTRUCTIVE = True``) run last."""
    here = Path(__file__).resolve().parent
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(here)])
        if not m.name.startswith("_") and not m.ispkg
    )
    names = [n for n in names if not only or n in only]
    destructive = {
        n
        for n in names
        if getattr(importlib.import_module(f"bench.{n}"), "DESTRUCTIVE", False)
    }
    return [n for n in names if n not in destructive] + sorted(destructive)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _normalise(module: str, row: dict[str, Any], n_claims: int) -> dict[str, Any]:
    out = {"module": module, "n_claims": n_claims, **row}
    floor, median = out.get("floor"), out.get("median")
    if out.get("ratio") is None and floor and median is not None:
        out["ratio"] = median / floor
    out.setdefault("unit", "s")
    return out


def run_all(scales: list[int], only: list[str] | None = None) -> tuple[list, int]:
    """Run the modules at every scale; return (result rows, failures).

    A module may return a row with ``skipped`` (a reason) instead of figures.
    """
    results: list[dict[str, Any]] = []
    failures = 0
    names = _modules(only or [])
    for n_claims in scales:
        for name in names:
            module = importlib.import_module(f"bench.{name}")
            run = getattr(module, "run", None)
            if not callable(run):
                print(f"bench.{name}: no run(n_claims) -> list[dict]; skipped")
                continue
            started = time.perf_counter()
            try:
                rows = run(n_claims)
            except Exception as exc:  # one failing module never hides the others
                failures += 1
                print(f"bench.{name} at {n_claims:,} failed: {exc!r}")
                results.append(
                    {"module": name, "n_claims": n_claims, "error": repr(exc)}
                )
                continue
            took = time.perf_counter() - started
            print(f"bench.{name} at {n_claims:,} claims: {took:.1f} s", flush=True)
            results += [_normalise(name, row, n_claims) for row in rows]
    return results, failures


def _key(row: dict[str, Any]) -> str:
    """The measurement without its figures, to pair one path across scales."""
    text = str(row.get("key") or row.get("measurement") or row["module"])
    return f"{row['module']}:{re.sub(r'[0-9][0-9,._]*', '#', text)}"


def _growth(results: list[dict[str, Any]], scales: list[int]) -> list[tuple]:
    if len(scales) < 2:
        return []
    small, large = min(scales), max(scales)
    by: dict[str, dict[int, dict[str, Any]]] = {}
    for r in results:
        if r.get("median") is not None:
            by.setdefault(_key(r), {})[r["n_claims"]] = r
    out = []
    for pair in by.values():
        if small in pair and large in pair:
            a, b = pair[small], pair[large]
            factor = b["median"] / a["median"] if a["median"] else None
            out.append(
                (
                    b.get("measurement"),
                    a["median"],
                    b["median"],
                    factor,
                    b.get("unit", "s"),
                )
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--claims", type=int, default=None, help="one scale")
    parser.add_argument(
        "--scales",
        default=None,
        help="comma-separated claim counts (default: BENCH_CLAIMS, else 10000,100000)",
    )
    parser.add_argument("--only", nargs="*", default=[], help="module names")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "var" / "bench" / "results.json"
    )
    args = parser.parse_args(argv)
    if args.scales:
        scales = [int(x.replace("_", "")) for x in args.scales.split(",") if x.strip()]
    elif args.claims:
        scales = [args.claims]
    elif os.environ.get("BENCH_CLAIMS"):
        scales = [int(os.environ["BENCH_CLAIMS"])]
    else:
        scales = [10_000, 100_000]
    database = _ensure_database()
    load_before = os.getloadavg()
    results, failures = run_all(scales, args.only)
    _print_table(results)
    growth = _growth(results, scales)
    _print_growth(growth, scales)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "database": database,
        "scales": scales,
        "machine": {**machine(), "load_average_before": load_before},
        "results": results,
        "growth": [
            {"measurement": m, "small": a, "large": b, "factor": f, "unit": u}
            for m, a, b, f, u in growth
        ],
    }
    args.out.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    print(f"\nResults written to {args.out}")
    return 1 if failures else 0


def machine() -> dict[str, Any]:
    """nproc, memory, CPU model and PostgreSQL version, for the README."""
    from django.db import connection

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    return {
        "nproc": os.cpu_count(),
        "memory": mem,
        "cpu": cpu,
        "postgresql": pg,
        "load_average": os.getloadavg(),  # other work on the machine meanwhile
    }


def _table(header: tuple, rows: list[tuple]) -> None:
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)] if rows else [len(h) for h in header]  # fmt: skip
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def _print_table(results: list[dict[str, Any]]) -> None:
    header = ("claims", "measurement", "median", "floor", "ratio", "unit")
    rows = [
        (
            f"{r['n_claims']:,}",
            str(r.get("measurement", r["module"])),
            _fmt(r.get("median")) if "error" not in r else "error",
            _fmt(r.get("floor")),
            _fmt(r.get("ratio")),
            str(r.get("unit", "s"))
            if not r.get("skipped")
            else f"skipped: {r['skipped']}",
        )
        for r in results
    ]
    _table(header, rows)


def _print_growth(growth: list[tuple], scales: list[int]) -> None:
    if not growth:
        return
    small, large = min(scales), max(scales)
    header = ("measurement", f"at {small:,}", f"at {large:,}", "growth", "unit")
    _table(
        header,
        [(str(m), _fmt(a), _fmt(b), _fmt(f), u) for m, a, b, f, u in growth],
    )


if __name__ == "__main__":
    sys.exit(main())
