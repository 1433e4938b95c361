"""Settings → API: tokens and webhooks of the creditor (owners only).

A new token and a new webhook secret are shown once, on the page that answers
the creation, and never again (only the token's hash is stored).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from claims.models import ApiToken
from claims.models import AuditEntry
from claims.models import Membership
from claims.models import Role
from claims.security.access import current_membership
from claims.security.net import client_ip


def _owner(request: HttpRequest) -> Membership:
    membership = current_membership(request)
    if membership.role != Role.OWNER:
        raise PermissionDenied
    return membership


def _audit(
    request: HttpRequest, membership: Membership, kind: str, **detail: Any
) -> None:
    AuditEntry.objects.create(
        user=request.user,
        username=request.user.get_username(),
        creditor_id=membership.creditor_id,
        kind=kind,
        ip=client_ip(request),
        detail={k: str(v) for k, v in detail.items()},
    )


def _context(membership: Membership, **extra: Any) -> dict[str, Any]:
    from claims.ledger.webhooks import EVENT_TYPES
    from claims.models import WebhookDelivery
    from claims.models import WebhookEndpoint

    cid = membership.creditor_id
    return {
        "membership": membership,
        "tab": "api",
        "tokens": ApiToken.objects.filter(creditor_id=cid).select_related("created_by"),
        "endpoints": WebhookEndpoint.objects.filter(creditor_id=cid),
        "deliveries": WebhookDelivery.objects.filter(
            endpoint__creditor_id=cid
        ).select_related("endpoint")[:50],
        "event_types": EVENT_TYPES,
        "scopes": ApiToken.Scope.choices,
        **extra,
    }


@login_required
def settings_api(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    extra: dict[str, Any] = {}
    if request.method == "POST":
        _owner(request)
        if request.POST.get("action") == "webhook_create":
            extra = _webhook_create(request, membership)
        else:
            extra = _token_create(request, membership)
    return render(request, "claims/settings_api.html", _context(membership, **extra))


def _token_create(request: HttpRequest, membership: Membership) -> dict[str, Any]:
    name = request.POST.get("name", "").strip()[:100]
    scope = request.POST.get("scope", ApiToken.Scope.READ)
    if not name or scope not in ApiToken.Scope.values:
        return {"token_error": _("Donnez un nom au jeton et choisissez ses droits.")}
    with transaction.atomic():
        token, raw = ApiToken.issue(
            creditor_id=membership.creditor_id,
            name=name,
            scope=scope,
            created_by=request.user,
        )
        _audit(
            request,
            membership,
            AuditEntry.Kind.API_TOKEN,
            action="created",
            token=token.name,
            prefix=token.prefix,
            scope=scope,
        )
    return {"new_token": raw, "new_token_name": token.name}


@login_required
@require_POST
def token_revoke(request: HttpRequest, code: UUID) -> HttpResponse:
    membership = _owner(request)
    token = get_object_or_404(ApiToken, creditor_id=membership.creditor_id, code=code)
    with transaction.atomic():
        won = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if won:
            _audit(
                request,
                membership,
                AuditEntry.Kind.API_TOKEN,
                action="revoked",
                token=token.name,
                prefix=token.prefix,
            )
    messages.success(request, _("Jeton « %(n)s » révoqué.") % {"n": token.name})
    return redirect("claims:settings_api")


def _webhook_create(request: HttpRequest, membership: Membership) -> dict[str, Any]:
    from claims.ledger.webhooks import endpoint_create

    try:
        endpoint = endpoint_create(
            creditor_id=membership.creditor_id,
            url=request.POST.get("url", "").strip(),
            event_types=request.POST.getlist("events"),
        )
    except ValidationError as exc:
        return {"webhook_error": " ".join(exc.messages)}
    _audit(
        request,
        membership,
        AuditEntry.Kind.WEBHOOK,
        action="created",
        url=endpoint.url,
    )
    return {"new_secret": endpoint.secret, "new_secret_url": endpoint.url}


@login_required
@require_POST
def webhook_disable(request: HttpRequest, code: UUID) -> HttpResponse:
    from claims.ledger.webhooks import endpoint_disable
    from claims.models import WebhookEndpoint

    membership = _owner(request)
    endpoint = get_object_or_404(
        WebhookEndpoint, creditor_id=membership.creditor_id, code=code
    )
    endpoint_disable(endpoint_id=endpoint.pk)
    _audit(
        request,
        membership,
        AuditEntry.Kind.WEBHOOK,
        action="disabled",
        url=endpoint.url,
    )
    return redirect("claims:settings_api")


@login_required
@require_POST
def delivery_replay(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a delivery again (same event id: the receiver de-duplicates)."""
    from claims.ledger.webhooks import delivery_replay as replay
    from claims.models import WebhookDelivery

    membership = _owner(request)
    delivery = get_object_or_404(
        WebhookDelivery, endpoint__creditor_id=membership.creditor_id, pk=pk
    )
    replay(delivery)
    _audit(
        request,
        membership,
        AuditEntry.Kind.WEBHOOK,
        action="replay",
        event=delivery.event_id,
    )
    messages.success(request, _("Envoi relancé."))
    return redirect("claims:settings_api")
