"""API tokens: bearer authentication, per-token rate limit, write scope, audit."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from claims.api.problems import ApiProblem
from claims.models import ApiToken
from claims.models import AuditEntry
from claims.models.api import TOKEN_PREFIX
from claims.models.api import token_hash
from claims.security.net import client_ip

#: Requests per token and per window (seconds): a fixed window in the cache.
DEFAULT_RATE = (120, 60)


def rate_limit() -> tuple[int, int]:
    limit, window = getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE)
    return int(limit), int(window)


def rate_check(token_id: int) -> None:
    """Count one request of ``token_id``; 429 once the window's quota is spent."""
    limit, window = rate_limit()
    now = time.time()
    slot = int(now // window)
    key = f"api-rate:{token_id}:{slot}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        retry_after = max(1, int((slot + 1) * window - now) + 1)
        raise ApiProblem(
            429,
            "too-many-requests",
            _("Trop de requêtes"),
            _("Limite de %(n)s requêtes par %(w)s secondes atteinte.")
            % {"n": limit, "w": window},
            headers={"Retry-After": str(retry_after)},
        )


class TokenAuth(HttpBearer):
    """``Authorization: Bearer rec_…``: a live token of one creditor."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        found = (
            ApiToken.objects.select_related("created_by")
            .filter(token_hash=token_hash(token), revoked_at__isnull=True)
            .first()
        )
        if found is None:
            return None
        rate_check(found.pk)
        now = timezone.now()
        # At most one write a minute per token for the "last used" date.
        if (
            found.last_used_at is None
            or (now - found.last_used_at).total_seconds() > 60
        ):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.api_token = found  # type: ignore[attr-defined]
        return found


def api_token(request: HttpRequest) -> ApiToken:
    return request.auth  # type: ignore[attr-defined,return-value]


def creditor_id(request: HttpRequest) -> int:
    return api_token(request).creditor_id


def require_write(request: HttpRequest) -> ApiToken:
    """The token, refusing a read-only one (403 problem)."""
    token = api_token(request)
    if not token.can_write:
        raise ApiProblem(
            403,
            "read-only-token",
            _("Ce jeton ne permet que la lecture"),
            _("Créez un jeton « lecture et écriture » dans les réglages."),
        )
    return token


def audit_write(request: HttpRequest, operation: str, **detail: Any) -> None:
    """Record one API write in the audit trail with the token's name."""
    token = api_token(request)
    AuditEntry.objects.create(
        user=token.created_by,
        username=f"api:{token.name}"[:150],
        creditor_id=token.creditor_id,
        kind=AuditEntry.Kind.API_WRITE,
        ip=client_ip(request),
        detail={
            "token": token.name,
            "token_prefix": token.prefix,
            "operation": operation,
            **{k: str(v) for k, v in detail.items()},
        },
    )
