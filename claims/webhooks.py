"""Webhooks: events of a creditor's claims, signed and sent to its endpoints.

The services call :func:`webhook_emit` (one line each). Once the service's
transaction commits, one :class:`~claims.models.WebhookDelivery` row is
written per interested endpoint and a Celery task sends it; the task retries
with backoff and never sends a delivered row again (the event id, unique per
endpoint, is also in the body and a header so the receiver can de-duplicate
a replay or a send interrupted after the receiver answered).

Signature, as Stripe does: ``Recouvrement-Signature: t=<unix>,v1=<hex>`` where
``hex = HMAC-SHA256(secret, f"{t}.{body}")``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SIGNATURE_HEADER = "Recouvrement-Signature"
EVENT_HEADER = "Recouvrement-Event-Id"
TIMEOUT_SECONDS = 10
MAX_RETRIES = 6

CLAIM_OPENED = "claim.opened"
MESSAGE_SENT = "message.sent"
PAYMENT_RECEIVED = "payment.received"
DISPUTE_OPENED = "dispute.opened"
PLAN_ACCEPTED = "plan.accepted"
PLAN_BROKEN = "plan.broken"
STAGE_CHANGED = "stage.changed"
HANDED_TO_BAILIFF = "claim.handed_to_bailiff"

EVENT_TYPES = [
    (CLAIM_OPENED, _("Créance ouverte")),
    (MESSAGE_SENT, _("Message envoyé")),
    (PAYMENT_RECEIVED, _("Paiement reçu")),
    (DISPUTE_OPENED, _("Contestation ouverte")),
    (PLAN_ACCEPTED, _("Plan d'apurement accepté")),
    (PLAN_BROKEN, _("Plan d'apurement rompu")),
    (STAGE_CHANGED, _("Changement d'étape")),
    (HANDED_TO_BAILIFF, _("Transmise à l'huissier")),
]
_KNOWN = {value for value, _label in EVENT_TYPES}


# --- endpoints -----------------------------------------------------------------


def _loopback_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False))


def endpoint_url_check(url: str) -> str:
    """An https URL; plain http only to the loopback, in development or tests."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationError({"url": _("Adresse invalide.")}) from exc
    parts = urlsplit(url)
    if parts.scheme == "https":
        return url
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback and _loopback_allowed():
        return url
    raise ValidationError({"url": _("L'adresse doit commencer par https://.")})


def endpoint_create(*, creditor_id: int, url: str, event_types: list[str]) -> Any:
    """Register an endpoint; its signing secret is generated here (shown once)."""
    from claims.models import WebhookEndpoint

    url = endpoint_url_check(url)
    unknown = [e for e in event_types if e not in _KNOWN]
    if unknown:
        raise ValidationError({"event_types": _("Événement inconnu.")})
    return WebhookEndpoint.objects.create(
        creditor_id=creditor_id,
        url=url,
        secret="whsec_" + secrets.token_hex(24),
        event_types=sorted(set(event_types)),
    )


# --- emitting ---------------------------------------------------------------------


def webhook_emit(*, claim: Any, event: str, **data: Any) -> None:
    """Announce ``event`` about ``claim`` once the current transaction commits.

    Costs no query inside the service's transaction: the endpoints are looked
    up after the commit, so a rolled-back change announces nothing.
    """
    if event not in _KNOWN:
        raise ValueError(f"Unknown webhook event {event!r}")
    _on_commit(claim.creditor_id, [(claim.pk, event, _jsonable(data))])


def webhook_emit_events(
    events: Iterable[Any], kinds: dict[str, str] | None = None
) -> None:
    """Announce the timeline entries written in bulk (``Event`` rows): one
    webhook event per entry whose kind is in ``kinds`` (kind → event type)."""
    from claims.models import Event

    kinds = kinds or {
        Event.Kind.ACTION_DONE: MESSAGE_SENT,
        Event.Kind.STAGE: STAGE_CHANGED,
        Event.Kind.PAYMENT: PAYMENT_RECEIVED,
        Event.Kind.CREATED: CLAIM_OPENED,
    }
    by_creditor: dict[int, list[tuple[int, str, Any]]] = {}
    for e in events:
        if e.kind not in kinds:
            continue
        # The French text, not the timeline's message id and parameters (t, p, a).
        data = {"message": e.message, **_without_i18n(e.data or {})}
        if kinds[e.kind] == STAGE_CHANGED and data.get("before") == data.get("after"):
            continue  # a pause prolonged, a note on the stage: no change
        by_creditor.setdefault(e.creditor_id, []).append(
            (e.claim_id, kinds[e.kind], _jsonable(data))
        )
    for creditor_id, items in by_creditor.items():
        _on_commit(creditor_id, items)


def _on_commit(creditor_id: int, items: list[tuple[int, str, Any]]) -> None:
    transaction.on_commit(lambda: deliveries_create(creditor_id, items))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def deliveries_create(
    creditor_id: int, items: list[tuple[int, str, dict[str, Any]]]
) -> list[int]:
    """One delivery row per (event, interested endpoint), then one task each.

    ``items``: (claim id, event type, data). The claim's code, reference and
    stage are read now, after the commit: what the receiver will find.
    """
    from claims.models import Claim
    from claims.models import WebhookDelivery
    from claims.models import WebhookEndpoint
    from claims.tasks_webhooks import webhook_deliver_task

    endpoints = list(
        WebhookEndpoint.objects.filter(creditor_id=creditor_id, is_active=True)
    )
    if not any(e.wants(event) for e in endpoints for _c, event, _d in items):
        return []
    claims = {
        c["pk"]: c
        for c in Claim.objects.filter(pk__in={i[0] for i in items}).values(
            "pk", "code", "reference", "stage", "status"
        )
    }
    created = timezone.now().isoformat()
    rows = []
    for claim_id, event, data in items:
        wanted = [e for e in endpoints if e.wants(event)]
        claim = claims.get(claim_id)
        if not wanted or claim is None:
            continue
        event_id = uuid.uuid4()
        payload = {
            "id": str(event_id),
            "type": event,
            "created": created,
            "data": {
                "claim": str(claim["code"]),
                "reference": claim["reference"],
                "stage": claim["stage"],
                "status": claim["status"],
                **data,
            },
        }
        rows += [
            WebhookDelivery(
                endpoint=e, event_id=event_id, event_type=event, payload=payload
            )
            for e in wanted
        ]
    rows = WebhookDelivery.objects.bulk_create(rows)
    for row in rows:
        webhook_deliver_task.delay_on_commit(row.pk)
    return [row.pk for row in rows]


# --- sending ---------------------------------------------------------------------


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_valid(
    secret: str,
    body: bytes,
    header: str,
    *,
    tolerance: int = 300,
    now: int | None = None,
) -> bool:
    """What a receiver checks: the HMAC, and a timestamp within ``tolerance``."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or int(time.time())) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def webhook_deliver(*, delivery_id: int, replay: bool = False) -> bool:
    """POST one delivery; True when the endpoint answered 2xx (or it was done).

    A delivered row is not sent again unless ``replay`` (the owner's button).
    Each attempt is counted and its answer kept (status, first 500 characters).
    """
    from claims.models import WebhookDelivery

    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or (delivery.delivered_at is not None and not replay):
        return True
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    request = urllib.request.Request(  # noqa: S310 (https, or loopback in tests)
        endpoint_url_check(endpoint.url),
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Recouvrement-Webhooks/1",
            EVENT_HEADER: str(delivery.event_id),
            SIGNATURE_HEADER: sign(endpoint.secret, body, int(time.time())),
        },
    )
    status, excerpt = _post(request)
    ok = 200 <= status < 300
    now = timezone.now()
    fields: dict[str, Any] = {
        "last_status_code": status or None,
        "last_response": excerpt[:500],
        "last_attempt_at": now,
    }
    from django.db.models import F

    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1, **fields
    )
    if ok:
        # Conditional: the first success wins, a replay keeps the first date.
        WebhookDelivery.objects.filter(
            Q(pk=delivery.pk) & Q(delivered_at__isnull=True)
        ).update(delivered_at=now)
    return ok


def _post(request: urllib.request.Request) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read(500).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(500).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return 0, f"{type(exc).__name__}: {exc}"


def retry_delay(retries: int) -> int:
    """Seconds before attempt ``retries + 2``: 30 s, 1 min, 2 min … 16 min."""
    return 30 * 2**retries


def _without_i18n(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("t", "p", "a")}
