"""The strict environment readers of recouvrement/env.py."""

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
