"""A 5-second, 5-user run of the load harness (the real run is 50 users, 2 min)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.django_db
def test_load_harness_smoke():
    s = connection.settings_dict
    auth = s["USER"] or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    url = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/rec_security_load_smoke"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=url,
        LOAD_SECONDS="5",
        LOAD_USERS="5",
        LOAD_CLAIMS="200",
        LOAD_PORT="8766",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "errors=0" in result.stdout
    assert "p95=" in result.stdout
