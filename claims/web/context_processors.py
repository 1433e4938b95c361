"""Template context shared by every page of the creditor's app."""

from __future__ import annotations

from django.http import HttpRequest


def queue_status(request: HttpRequest) -> dict:
    """``queue_status`` for the banner, only for signed-in users (staff pages)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from claims.engine.queue import queue_status as status

    return {"queue_status": status()}


def membership(request: HttpRequest) -> dict:
    """The creditor the user acts for, on every page (one menu everywhere).

    Views that already put ``membership`` in their context win; elsewhere it
    is looked up only when a template reads it (the cached lookup of
    :func:`claims.security.access.current_membership`), None without a creditor.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.http import Http404
    from django.utils.functional import SimpleLazyObject

    from claims.security.access import current_membership

    def lookup() -> object:
        try:
            return current_membership(request)
        except Http404:
            return None

    return {"membership": SimpleLazyObject(lookup)}
