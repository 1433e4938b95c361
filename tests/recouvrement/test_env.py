"""The strict environment readers of recouvrement/env.py."""

import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from recouvrement import env


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("1", True),
        ("YES", True),
        (" on ", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env.env_bool("X_FLAG", not expected) is expected


@pytest.mark.parametrize("raw", ["ture", "2", "oui", "enabled", "True!"])
def test_env_bool_rejects_unknown_values(monkeypatch, raw):
    monkeypatch.setenv("X_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG", True)


def test_env_bool_falls_back_to_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("X_FLAG", raising=False)
    assert env.env_bool("X_FLAG", True) is True


def test_env_int_parses_and_refuses(monkeypatch):
    monkeypatch.setenv("X_INT", "587")
    assert env.env_int("X_INT", 25) == 587
    monkeypatch.setenv("X_INT", "")
    assert env.env_int("X_INT", 25) == 25
    monkeypatch.setenv("X_INT", "5x")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env.env_int("X_INT", 25)


def test_env_list_drops_blanks(monkeypatch):
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    assert env.env_list("X_LIST") == ["a.example", "b.example"]
    monkeypatch.delenv("X_LIST")
    assert env.env_list("X_LIST", ["d"]) == ["d"]


def test_env_secret_reads_the_file_first(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-file\n", encoding="utf-8")
    monkeypatch.setenv("X_SECRET", "from-env")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.env_secret("X_SECRET") == "from-file"
    monkeypatch.delenv("X_SECRET_FILE")
    assert env.env_secret("X_SECRET") == "from-env"


def test_env_secret_refuses_an_unreadable_file(monkeypatch, tmp_path):
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="X_SECRET_FILE"):
        env.env_secret("X_SECRET")


def test_load_env_file_sets_what_the_environment_lacks(monkeypatch, tmp_path):
    path = tmp_path / "local.env"
    path.write_text(
        "# comment\n\nX_ONE=1\nX_TWO = 'two words'\nX_SET=from-file\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("X_ONE", raising=False)
    monkeypatch.delenv("X_TWO", raising=False)
    monkeypatch.setenv("X_SET", "from-environment")
    env.load_env_file(path)
    assert os.environ["X_ONE"] == "1"
    assert os.environ["X_TWO"] == "two words"
    assert os.environ["X_SET"] == "from-environment"
    monkeypatch.delenv("X_ONE")
    monkeypatch.delenv("X_TWO")


def test_load_env_file_ignores_a_missing_file_and_refuses_a_broken_one(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("X_OK", "kept")
    env.load_env_file(tmp_path / "absent.env")
    broken = tmp_path / "broken.env"
    broken.write_text("X_OK=1\nnot a line\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match=r"broken\.env:2"):
        env.load_env_file(broken)
