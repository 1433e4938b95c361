"""Template context shared by every page of the creditor's app."""

from __future__ import annotations

from django.http import HttpRequest


def queue_status(request: HttpRequest) -> dict:
    """``queue_status`` for the banner, only for signed-in users (staff pages)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from claims.queue import queue_status as status

    return {"queue_status": status()}
