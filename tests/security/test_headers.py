"""Production settings pass `check --deploy`; pages carry CSP and safe headers."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECURE_", "SMTP_", "ADMIN_"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48)[:50],
        ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="recouvrement.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_pages_carry_a_strict_csp(client, cast):
    client.force_login(cast.owner)
    response = client.get(reverse("claims:dashboard"))
    policy = response.headers["Content-Security-Policy"]
    directives = dict(([*part.split(" ", 1), ""])[:2] for part in policy.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_login_page_has_csp_and_csrf(client):
    response = client.get(reverse("login"))
    assert "Content-Security-Policy" in response.headers
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_templates_have_no_inline_script():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for chunk in text.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            assert "src=" in tag, f"inline <script> in {path}"
        assert " onclick=" not in text, f"inline handler in {path}"
