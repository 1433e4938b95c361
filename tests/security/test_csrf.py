"""CSRF everywhere: the middleware is on and no view opts out unnoticed."""

from __future__ import annotations

from django.conf import settings
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver

# Views allowed to skip CSRF must be listed here, with the reason.
ALLOWED_EXEMPT_MODULES = (
    "anymail.",  # provider webhooks: authenticated by their own shared secret
    "ninja.",  # the REST API (/api/v1/): bearer tokens only, never the session cookie
)


def _views(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _views(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_csrf_middleware_is_on():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_no_view_is_csrf_exempt():
    exempt = [
        route
        for route, view in _views(get_resolver().url_patterns)
        if getattr(view, "csrf_exempt", False)
        and not view.__module__.startswith(ALLOWED_EXEMPT_MODULES)
    ]
    assert exempt == []


def test_login_without_token_is_refused(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "pw-for-tests-1"}
    )
    assert response.status_code == 403
