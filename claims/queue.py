"""Is the task queue (the Celery broker) reachable? For the dashboard banner.

A broker ping with a short timeout, remembered a few seconds in-process so a
page never waits on a dead broker more than once per period. Never raises.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class QueueStatus:
    available: bool
    checked_at: float
    error: str = ""


_lock = threading.Lock()
_cached: QueueStatus | None = None


def _ping() -> QueueStatus:
    from recouvrement.celery import app

    try:
        conn = app.connection_for_write()
        try:
            conn.ensure_connection(max_retries=0, timeout=settings.QUEUE_STATUS_TIMEOUT)
            client = getattr(conn.default_channel, "client", None)
            if client is not None and hasattr(client, "ping"):
                client.ping()
        finally:
            conn.release()
    except Exception as exc:
        return QueueStatus(False, time.monotonic(), f"{type(exc).__name__}: {exc}")
    return QueueStatus(True, time.monotonic())


def queue_status(*, refresh: bool = False) -> QueueStatus:
    """The broker's state, cached ``QUEUE_STATUS_CACHE_SECONDS`` seconds."""
    global _cached
    with _lock:
        now = time.monotonic()
        if (
            not refresh
            and _cached is not None
            and now - _cached.checked_at < settings.QUEUE_STATUS_CACHE_SECONDS
        ):
            return _cached
        _cached = _ping()
        return _cached
