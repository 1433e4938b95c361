"""The README keeps its promises: two commands on top, every variable documented."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_first_two_commands_are_make_run_and_make_test():
    block = README.split("```")[1]
    commands = [line.split("#")[0].strip() for line in block.splitlines()[1:] if line]
    assert commands == ["make run", "make test"]


def test_every_variable_read_by_the_settings_is_in_the_configuration_table():
    settings = (ROOT / "recouvrement" / "settings.py").read_text(encoding="utf-8")
    names = set(
        re.findall(r'env_(?:str|bool|int|list|secret)\(\s*"([A-Z0-9_]+)"', settings)
    )
    assert {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"} <= names
    table = README.split("## Configuration", 1)[1]
    missing = sorted(
        n for n in names if f"`{n}`" not in table and f"`{n} /" not in table
    )
    assert missing == []
