"""The arrows between the parts of the code (docs/architecture.md), read from the
source with ``ast``: every ``import`` and ``from … import``, late ones included.

- ``claims`` never imports ``letters`` (letters registers its deliverer).
- ``claims/law`` imports no Django model (nor the ORM) and no clock: "today"
  is always an argument.
- each part of ``claims`` imports only the parts below it (``PARTS``): the
  ledger never imports the engine, the engine never imports money in, the
  judicial route, the web layer…; and the parts form no cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# part -> the parts of ``claims`` it may import (besides itself). The ledger
# includes ``claims.models``: Django wants every model of the app there.
BELOW_LEDGER = {"law", "l10n"}
PARTS: dict[str, set[str]] = {
    "l10n": set(),
    "law": {"l10n"},
    "ledger": BELOW_LEDGER,
    "security": {"ledger", *BELOW_LEDGER},
    "engine": {"ledger", *BELOW_LEDGER},
    "money_in": {"engine", "ledger", *BELOW_LEDGER},
    "judicial": {"engine", "ledger", *BELOW_LEDGER},
    "privacy": {"security", "ledger", *BELOW_LEDGER},
    "api": {"money_in", "judicial", "engine", "security", "ledger", *BELOW_LEDGER},
    "demo": {"money_in", "judicial", "engine", "ledger", *BELOW_LEDGER},
    "web": {
        "api", "demo", "privacy", "money_in", "judicial", "engine", "security",
        "ledger", *BELOW_LEDGER,
    },
    # Django's own entry points: they may reach every part.
    "app": {
        "web", "api", "demo", "privacy", "money_in", "judicial", "engine",
        "security", "ledger", *BELOW_LEDGER,
    },
}


def part_of(module: str) -> str | None:
    """The part of a ``claims`` module, None outside ``claims``."""
    bits = module.split(".")
    if bits[0] != "claims":
        return None
    if len(bits) == 1:
        return "app"
    head = bits[1]
    if head in ("ledger", "models"):
        return "ledger"
    if head in ("admin", "templatetags", "web", "urls"):
        return "web"
    if head in ("apps", "checks", "management", "migrations"):
        return "app"
    return head


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) of every import in the file, late ones too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod != "claims":  # ``from claims import x``: x is the module
                yield node.lineno, mod
            for alias in node.names:  # ``from claims import ledger`` names a module
                yield node.lineno, f"{mod}.{alias.name}"


def claims_files() -> list[Path]:
    return sorted(p for p in (ROOT / "claims").rglob("*.py") if "migrations" not in p.parts)


def test_the_rules_see_the_code():
    files = claims_files()
    assert len(files) > 80
    assert part_of("claims.ledger.services") == "ledger"
    assert ("claims.engine.collection" in {m for _, m in imports(ROOT / "claims/apps.py")})


def test_claims_never_imports_letters():
    found = [
        f"{p.relative_to(ROOT)}:{line} imports {mod}"
        for p in claims_files()
        for line, mod in imports(p)
        if mod == "letters" or mod.startswith("letters.")
    ]
    assert not found, "\n".join(found)


CLOCK_CALLS = {"now", "today", "utcnow", "time", "localdate", "localtime"}
FORBIDDEN_IN_LAW = ("django.db", "django.apps", "django.utils.timezone", "claims.models", "time")


def test_the_law_imports_no_model_and_no_clock():
    found = []
    for path in sorted((ROOT / "claims" / "law").rglob("*.py")):
        for line, mod in imports(path):
            if any(mod == f or mod.startswith(f + ".") for f in FORBIDDEN_IN_LAW):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {mod}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLOCK_CALLS
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} reads the clock")
    assert not found, "\n".join(found)


def arrows() -> dict[tuple[str, str], list[str]]:
    """(part, imported part) -> where, over every module of ``claims``."""
    seen: dict[tuple[str, str], list[str]] = {}
    for path in claims_files():
        here = part_of(module_name(path))
        for line, mod in imports(path):
            there = part_of(mod)
            if there is None or there == here or here is None:
                continue
            seen.setdefault((here, there), []).append(f"{path.relative_to(ROOT)}:{line} {mod}")
    return seen


def test_each_part_imports_only_the_parts_below_it():
    found = [
        f"{here} -> {there}: " + ", ".join(where)
        for (here, there), where in sorted(arrows().items())
        if there not in PARTS.get(here, set())
    ]
    assert not found, "\n".join(found)


def test_the_ledger_never_imports_the_engine():
    assert ("ledger", "engine") not in arrows()


def test_the_parts_form_no_cycle():
    graph: dict[str, set[str]] = {}
    for here, there in arrows():
        graph.setdefault(here, set()).add(there)
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path, node, nxt]))
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from claims.engine.run import x\n", ["ledger -> engine"]),
        ("import letters.delivery\n", ["letters"]),
    ],
)
def test_a_forbidden_import_is_caught(tmp_path, monkeypatch, source, expected):
    """The guard itself: a ledger module that imports the engine or letters fails."""
    fake = ROOT / "claims" / "ledger" / "_probe.py"
    monkeypatch.setattr(
        f"{__name__}.claims_files", lambda: [*sorted((ROOT / "claims").rglob("*.py")), fake]
    )
    original = Path.read_text

    def read_text(self: Path, *args, **kwargs) -> str:
        return source if self == fake else original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    if expected == ["letters"]:
        with pytest.raises(AssertionError, match=r"_probe\.py"):
            test_claims_never_imports_letters()
    else:
        with pytest.raises(AssertionError, match="ledger -> engine"):
            test_each_part_imports_only_the_parts_below_it()
