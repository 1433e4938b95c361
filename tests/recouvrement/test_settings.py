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


def run(tmp_path, arguments, *, timeout=60, **variables):
    """Python with ``arguments`` in a fresh process whose environment holds only
    PATH, a HOME and a VAR_DIR under ``tmp_path``, and ``variables``."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "VAR_DIR": str(tmp_path / "var"),
        **variables,
    }
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start(tmp_path, **variables):
    """The settings imported as gunicorn or a Celery worker would."""
    return run(
        tmp_path, ["-c", PROBE], DJANGO_SETTINGS_MODULE="recouvrement.settings", **variables
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


def _probe(tmp_path, expression, **variables):
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return run(
        tmp_path,
        ["-c", code],
        DJANGO_SETTINGS_MODULE="recouvrement.settings",
        **{"DEBUG": "true", **variables},
    )


def test_site_url_follows_the_port_make_run_serves_on(tmp_path):
    result = _probe(tmp_path, "settings.SITE_URL", HOST="127.0.0.1", PORT="8173")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8173"
    listening_everywhere = _probe(tmp_path, "settings.SITE_URL", HOST="0.0.0.0")  # noqa: S104
    assert listening_everywhere.stdout.strip() == "http://127.0.0.1:8000"
    chosen = _probe(
        tmp_path, "settings.SITE_URL", PORT="8173", SITE_URL="https://rec.example/"
    )
    assert chosen.stdout.strip() == "https://rec.example"


def test_the_filesystem_broker_keeps_its_control_folder_under_var(tmp_path):
    result = _probe(
        tmp_path, "settings.CELERY_BROKER_TRANSPORT_OPTIONS['control_folder']"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "var" / "broker" / "control")
    assert (tmp_path / "var" / "broker" / "control").is_dir()
    assert not (ROOT / "control").exists()


def _make_env_file(tmp_path):
    env_file = tmp_path / "local.env"
    subprocess.run(
        ["make", "-s", "env-file", f"ENV_FILE={env_file}"],
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    return env_file


def _manage(tmp_path, *args, **variables):
    return run(tmp_path, ["manage.py", *args], timeout=120, **variables)


def test_make_install_writes_a_private_local_env_file(tmp_path):
    env_file = _make_env_file(tmp_path)
    lines = env_file.read_text(encoding="utf-8").splitlines()
    assert "DEBUG=true" in lines
    (key,) = [line.split("=", 1)[1] for line in lines if line.startswith("SECRET_KEY=")]
    assert len(key) == 64
    assert key != "development-only-not-secret"
    assert env_file.stat().st_mode & 0o077 == 0  # readable by its owner only
    # A second run keeps the key (sessions survive a re-install).
    assert _make_env_file(tmp_path).read_text(encoding="utf-8").splitlines() == lines
    # Another file gets another key.
    other = tmp_path / "other"
    other.mkdir()
    assert _make_env_file(other).read_text(encoding="utf-8") != "\n".join(lines)
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".env.local"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, ".env.local must be git-ignored"


def test_manage_py_reads_the_local_env_file_and_production_does_not(tmp_path):
    env_file = _make_env_file(tmp_path)
    key = next(
        line.split("=", 1)[1]
        for line in env_file.read_text(encoding="utf-8").splitlines()
        if line.startswith("SECRET_KEY=")
    )
    # Without DEBUG=true in the environment, manage.py works from the file...
    shell = [
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)",
    ]
    result = _manage(tmp_path, *shell, ENV_FILE=str(env_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", key]
    # ...the environment wins over the file...
    forced = _manage(
        tmp_path,
        *shell,
        ENV_FILE=str(env_file),
        DEBUG="false",
        ALLOWED_HOSTS="x.example",
    )
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.splitlines()[-1].split() == ["False", key]
    # ...without a file it refuses, and the settings alone (gunicorn, Celery)
    # never read it.
    missing = _manage(tmp_path, "check", ENV_FILE=str(tmp_path / "none.env"))
    assert missing.returncode != 0
    assert "SECRET_KEY is required" in missing.stderr
    assert start(tmp_path, ENV_FILE=str(env_file)).returncode != 0


def test_a_broken_local_env_file_stops_manage_py(tmp_path):
    env_file = tmp_path / "broken.env"
    env_file.write_text("DEBUG=true\nthis is not a setting\n", encoding="utf-8")
    result = _manage(tmp_path, "check", ENV_FILE=str(env_file))
    assert result.returncode != 0
    assert "broken.env:2: expected NAME=value" in result.stderr
