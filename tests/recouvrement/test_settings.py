"""Production mode refuses insecure defaults; DEBUG runs on embedded defaults.

Each case imports the settings in a fresh interpreter with a clean environment,
exactly as gunicorn or a Celery worker would start.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL, "
    "settings.MAILERS['default']['BACKEND'])"
)


def start(tmp_path, **variables):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "recouvrement.settings",
        "VAR_DIR": str(tmp_path / "var"),
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_refuses_production_without_secret_key(tmp_path):
    result = start(tmp_path, DEBUG="false", ALLOWED_HOSTS="recouvrement.example")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_it_refuses_production_without_allowed_hosts(tmp_path):
    result = start(tmp_path, DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is required" in result.stderr


def test_it_refuses_a_wildcard_host_in_production(tmp_path):
    result = start(tmp_path, DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="*")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS='*'" in result.stderr


def test_it_refuses_a_misspelt_debug_flag(tmp_path):
    result = start(tmp_path, DEBUG="treu")
    assert result.returncode != 0
    assert "DEBUG='treu' is not a boolean" in result.stderr


def test_production_starts_with_secret_key_file_and_hosts(tmp_path):
    key = tmp_path / "key"
    key.write_text("k" * 50, encoding="utf-8")
    result = start(
        tmp_path,
        DEBUG="false",
        SECRET_KEY_FILE=str(key),
        ALLOWED_HOSTS="recouvrement.example",
        DATABASE_URL="postgres://u:p@db.example:5432/rec",
        CELERY_BROKER_URL="redis://redis.example:6379/0",
        SMTP_HOST="smtp.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://redis.example:6379/0",
        "django.core.mail.backends.smtp.EmailBackend",
    ]


def test_debug_runs_on_embedded_defaults(tmp_path):
    result = start(tmp_path, DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.mail.backends.filebased.EmailBackend",
    ]
    assert (tmp_path / "var").is_dir()  # the SQLite folder is created on start
