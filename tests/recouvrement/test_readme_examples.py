"""The worked interest examples of the README are the real output of the command."""

from __future__ import annotations

import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
SECTION = (
    (ROOT / "README.md")
    .read_text(encoding="utf-8")
    .split("## Calcul des intérêts — exemples", 1)[1]
    .split("\n## ", 1)[0]
)


def _examples() -> list[tuple[list[str], str]]:
    out = []
    for block in SECTION.split("```console\n")[1:]:
        lines = block.split("\n```", 1)[0].splitlines()
        command = []
        while True:
            line = lines.pop(0).removeprefix("$ ").strip()
            command.append(line.rstrip("\\").strip())
            if not line.endswith("\\"):
                break
        args = shlex.split(" ".join(command))
        assert args[:4] == [
            "DEBUG=true",
            ".venv/bin/python",
            "manage.py",
            "interest_calc",
        ]
        out.append((args[4:], "\n".join(lines)))
    return out


def test_one_example_per_country_and_debtor_kind() -> None:
    kinds = {
        (a[a.index("--country") + 1], a[a.index("--debtor-kind") + 1])
        for a, _ in _examples()
    }
    assert kinds == {
        ("BE", "business"),
        ("BE", "consumer"),
        ("FR", "business"),
        ("FR", "consumer"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "shown"), _examples())
def test_the_readme_shows_the_real_output(args: list[str], shown: str) -> None:
    buffer = StringIO()
    call_command("interest_calc", *args, stdout=buffer)
    assert buffer.getvalue().rstrip("\n") == shown
