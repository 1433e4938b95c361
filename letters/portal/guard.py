"""Request plumbing shared by the portal views: rate limit, session token, language."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation

from claims.models import PortalToken
from claims.security.net import client_ip
from letters.portal.tokens import portal_token_by_id

log = logging.getLogger("letters.portal")

SESSION_TOKEN = "portal_token_id"  # noqa: S105 - a session key
SESSION_LANG = "portal_lang"
LANGUAGES = ("fr", "nl", "en")
RATE_LIMIT = 30  # requests per minute per IP and token
RATE_WINDOW = 60
MAX_BODY_BYTES = 6 * 1024 * 1024  # one 5 MB file plus the form fields

View = Callable[..., HttpResponse]


def over_limit(request: HttpRequest, scope: str) -> bool:
    """Fixed one-minute window in the cache, started by the first request."""
    digest = hashlib.sha256(f"{client_ip(request) or ''}|{scope}".encode()).hexdigest()[:32]
    key = f"portal:rl:{digest}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > RATE_LIMIT


def portal_language(request: HttpRequest, token: PortalToken | None) -> str:
    wanted = request.GET.get("lang")
    if wanted in LANGUAGES:
        request.session[SESSION_LANG] = wanted
        return wanted
    stored = request.session.get(SESSION_LANG)
    if stored in LANGUAGES:
        return stored
    if token is not None and token.debtor.language in LANGUAGES:
        return token.debtor.language
    return "fr"


def harden(response: HttpResponse, lang: str) -> HttpResponse:
    response.headers["Cache-Control"] = "no-store, private"
    # Not "no-referrer": Chromium then sends "Origin: null" and CSRF refuses
    # the POST. The link's token never stays in the URL (swapped for a session).
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers.setdefault("Content-Language", lang)
    return response


def too_many(request: HttpRequest) -> HttpResponse:
    log.warning("portal: rate limit hit from %s", client_ip(request))
    with translation.override(portal_language(request, None)):
        return harden(render(request, "portal/rate_limited.html", status=429), "fr")


def invalid(request: HttpRequest) -> HttpResponse:
    """One polite page, one status, for every kind of refused access."""
    return render(request, "portal/invalid.html", status=404)


def portal_page(view: View) -> View:
    """Rate-limit, load the session's token (re-checked each time), set language."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token_id = request.session.get(SESSION_TOKEN)
        if over_limit(request, f"session:{token_id}"):
            return too_many(request)
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
            return HttpResponse(status=413)  # refused before Django spools it
        token = portal_token_by_id(int(token_id)) if token_id else None
        lang = portal_language(request, token)
        with translation.override(lang):
            if token is None:
                log.warning(
                    "portal: no valid session token from %s", client_ip(request)
                )
                return harden(invalid(request), lang)
            response = view(request, token, *args, **kwargs)
        return harden(response, lang)

    return wrapper
