"""Audit log receivers for Django's authentication signals (adapters only)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.signals import user_logged_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from claims.models import AuditEntry

from . import throttle
from .audit import audit_record
from .net import client_ip


@receiver(user_logged_in, dispatch_uid="security_audit_login")
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None:
        for key, _limit in throttle.login_keys(user.get_username(), client_ip(request)):
            throttle.reset(key)
    audit_record(kind=AuditEntry.Kind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="security_audit_logout")
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(kind=AuditEntry.Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="security_audit_login_failed")
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))
    locked = False
    for key, limit in throttle.login_keys(username, client_ip(request)):
        locked = throttle.register_failure(key, limit) or locked
    audit_record(
        kind=AuditEntry.Kind.LOGIN_FAILED,
        request=request,
        user=None,
        username=username,
        detail={"locked": locked},
    )
