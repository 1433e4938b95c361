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

    url = app.conf.broker_url or ""
    timeout = settings.QUEUE_STATUS_TIMEOUT
    try:
        if url.startswith(("redis://", "rediss://")):
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            client = redis.Redis.from_url(
                url,
                socket_connect_timeout=timeout,
                socket_timeout=timeout,
                retry=Retry(NoBackoff(), 0),
            )
            try:
                client.ping()
            finally:
                client.close()
        else:  # the filesystem broker of `make run`, or another transport
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
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
