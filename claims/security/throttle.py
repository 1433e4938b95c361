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


def account_key(username: str) -> str:
    """The throttle key of one username from any address: a cap that many
    addresses together cannot get round (``LOGIN_MAX_FAILURES_ACCOUNT``)."""
    raw = username.strip().lower()
    return "login-account:" + hashlib.sha256(raw.encode()).hexdigest()


def login_keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    """(key, failures allowed) for one login attempt: per address, per account."""
    return [
        (login_key(username, ip), settings.LOGIN_MAX_FAILURES),
        (account_key(username), settings.LOGIN_MAX_FAILURES_ACCOUNT),
    ]


def _fail_key(key: str) -> str:
    return f"throttle:fail:{key}"


def _lock_key(key: str) -> str:
    return f"throttle:lock:{key}"


def is_locked(key: str) -> bool:
    """True while the key is locked out."""
    return cache.get(_lock_key(key)) is not None


def register_failure(key: str, limit: int | None = None) -> bool:
    """Count one failure; return True when this failure triggers the lock-out."""
    limit = settings.LOGIN_MAX_FAILURES if limit is None else limit
    fail_key = _fail_key(key)
    if cache.add(fail_key, 1, timeout=settings.LOGIN_FAILURE_WINDOW):
        count = 1
    else:
        try:
            count = cache.incr(fail_key)
        except ValueError:  # expired between add() and incr()
            cache.set(fail_key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)
            count = 1
    if count >= limit:
        cache.set(_lock_key(key), 1, timeout=settings.LOGIN_LOCKOUT)
        cache.delete(fail_key)
        return True
    return False


def reset(key: str) -> None:
    """Forget failures after a success."""
    cache.delete_many([_fail_key(key), _lock_key(key)])


def hit(key: str, limit: int, window: int) -> bool:
    """Count one request under ``key``; True when it is over ``limit`` in ``window``."""
    k = f"throttle:hit:{key}"
    if cache.add(k, 1, timeout=window):
        return limit < 1
    try:
        return cache.incr(k) > limit
    except ValueError:  # expired between add() and incr()
        cache.set(k, 1, timeout=window)
        return limit < 1
