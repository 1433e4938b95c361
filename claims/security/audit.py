"""The one way to write the security audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from claims.models import AuditEntry
from claims.models import Creditor

from .net import client_ip


def audit_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    username: str = "",
    creditor: Creditor | int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log (login, export, document download…).

    ``user`` defaults to the request's user; ``creditor`` may be an instance or
    an id. The IP comes from the request. Never raises on an anonymous user.
    """
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    creditor_id = creditor.pk if isinstance(creditor, Creditor) else creditor
    return AuditEntry.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        creditor_id=creditor_id,
        ip=client_ip(request),
        detail=detail or {},
    )
