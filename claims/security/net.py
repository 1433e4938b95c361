"""Where a request comes from."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's IP: REMOTE_ADDR, or the proxy's X-Forwarded-For entry.

    X-Forwarded-For is trusted only behind our own reverse proxy
    (``BEHIND_PROXY``), and then only its last entry: the address the proxy saw.
    """
    if request is None:
        return None
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None
