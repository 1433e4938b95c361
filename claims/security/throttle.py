"""Brute-force protection: count failures per key in the cache, lock for a while.

The cache is Redis in production, so every gunicorn worker shares the counts.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def login_key(username: str, ip: str | None) -> str:
    """The throttle key of one username from one address."""
    raw = f"{username.strip().lower()}|{ip or '-'}"
    return "login:" + hashlib.sha256(raw.encode()).hexdigest()


def _fail_key(key: str) -> str:
    return f"throttle:fail:{key}"


def _lock_key(key: str) -> str:
    return f"throttle:lock:{key}"


def is_locked(key: str) -> bool:
    """True while the key is locked out."""
    return cache.get(_lock_key(key)) is not None


def register_failure(key: str) -> bool:
    """Count one failure; return True when this failure triggers the lock-out."""
    fail_key = _fail_key(key)
    if cache.add(fail_key, 1, timeout=settings.LOGIN_FAILURE_WINDOW):
        count = 1
    else:
        try:
            count = cache.incr(fail_key)
        except ValueError:  # expired between add() and incr()
            cache.set(fail_key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)
            count = 1
    if count >= settings.LOGIN_MAX_FAILURES:
        cache.set(_lock_key(key), 1, timeout=settings.LOGIN_LOCKOUT)
        cache.delete(fail_key)
        return True
    return False


def reset(key: str) -> None:
    """Forget failures after a success."""
    cache.delete_many([_fail_key(key), _lock_key(key)])
