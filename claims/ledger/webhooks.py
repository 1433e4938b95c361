"""Webhooks: events of a creditor's claims, signed and sent to its endpoints.

The services call :func:`webhook_emit` / :func:`webhook_emit_events` (one line
each) inside their transaction: one :class:`~claims.models.WebhookDelivery`
row per interested endpoint is written there (the outbox), so a committed
change always has its deliveries and a rolled-back one has none. Once the
transaction commits, a Celery task sends each row; it retries with backoff,
and :func:`webhooks_sweep` (every minute) queues again a row whose task was
lost. A delivered row is not sent again (except by the owner's replay).

The guarantee is at-least-once with a stable event id: a worker killed after
the receiver answered but before the answer was recorded sends the same event
again. The event id, unique per endpoint, is in the signed body and the
``Recouvrement-Event-Id`` header so that the receiver de-duplicates.

Signature, as Stripe does: ``Recouvrement-Signature: t=<unix>,v1=<hex>`` where
``hex = HMAC-SHA256(secret, f"{t}.{body}")``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
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
from django.db.models import F
from django.db.models import Q
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SIGNATURE_HEADER = "Recouvrement-Signature"
EVENT_HEADER = "Recouvrement-Event-Id"
TIMEOUT_SECONDS = 10
MAX_RETRIES = 6
# An attempt holds its row this long (more than the request's timeout).
LEASE_SECONDS = 3 * TIMEOUT_SECONDS

log = logging.getLogger(__name__)

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


def endpoint_disable(*, endpoint_id: int) -> None:
    """No more events to this endpoint; its pending deliveries are given up."""
    from claims.models import WebhookDelivery
    from claims.models import WebhookEndpoint

    WebhookEndpoint.objects.filter(pk=endpoint_id).update(is_active=False)
    WebhookDelivery.objects.filter(
        endpoint_id=endpoint_id, delivered_at__isnull=True
    ).update(next_attempt_at=None)
    endpoints_changed()


# --- emitting (the outbox) -----------------------------------------------------------


def webhook_emit(*, claim: Any, event: str, **data: Any) -> None:
    """Announce ``event`` about ``claim``, in the caller's transaction.

    The delivery rows (one per interested endpoint) are written now, with the
    change they announce: committed together or not at all. Once the
    transaction commits, a task is queued per row; a lost task is queued again
    by :func:`webhooks_sweep`. The creditor's endpoints are read once per
    transaction: without one, later calls cost no query; with one, two (the
    claim as the change left it, the INSERT).
    """
    if event not in _KNOWN:
        raise ValueError(f"Unknown webhook event {event!r}")
    _outbox([(claim.creditor_id, claim.pk, event, _jsonable(data))])


def webhook_emit_events(
    events: Iterable[Any], kinds: dict[str, str] | None = None
) -> None:
    """Announce the timeline entries written in bulk (``Event`` rows): one
    webhook event per entry whose kind is in ``kinds`` (kind → event type).
    Set-based: a batch of any size costs at most three queries."""
    from claims.models import Event

    kinds = kinds or {
        Event.Kind.ACTION_DONE: MESSAGE_SENT,
        Event.Kind.STAGE: STAGE_CHANGED,
        Event.Kind.PAYMENT: PAYMENT_RECEIVED,
        Event.Kind.CREATED: CLAIM_OPENED,
    }
    items = []
    for e in events:
        event = kinds.get(e.kind)
        if event is None:
            continue
        # The French text, not the timeline's message id and parameters (t, p, a).
        data = {"message": e.message, **_without_i18n(e.data or {})}
        if event == STAGE_CHANGED and data.get("before") == data.get("after"):
            continue  # a pause prolonged, a note on the stage: no change
        if event == MESSAGE_SENT and data.get("channel") not in MESSAGE_CHANNELS:
            continue  # an escalation or a call step: nothing reached the debtor
        items.append((e.creditor_id, e.claim_id, event, _jsonable(data)))
    _outbox(items)


# Channels of a message that reaches the debtor (not "call", not "escalate").
MESSAGE_CHANNELS = frozenset({"email", "post", "email_post", "registered"})

# Bumped when an endpoint is added or changed in this process: the endpoints
# read for the current transaction are read again.
_endpoints_version = [0]


def endpoints_changed(**_kwargs: Any) -> None:
    _endpoints_version[0] += 1


def _endpoints(creditor_ids: set[int]) -> dict[int, list[tuple[int, list[str]]]]:
    """creditor id → its active endpoints (id, event types), read once per
    transaction: ``run_on_commit`` is a new list after each commit or rollback."""
    from claims.models import WebhookEndpoint

    conn = transaction.get_connection()
    memo: dict[int, list[tuple[int, list[str]]]] = {}
    if conn.in_atomic_block:
        held = getattr(conn, "_webhook_endpoints", None)
        if (
            held is not None
            and held[0] is conn.run_on_commit
            and held[1] == _endpoints_version[0]
        ):
            memo = held[2]
        else:
            conn._webhook_endpoints = (conn.run_on_commit, _endpoints_version[0], memo)
    missing = creditor_ids - memo.keys()
    if missing:
        memo.update({c: [] for c in missing})
        for pk, creditor_id, types in WebhookEndpoint.objects.filter(
            creditor_id__in=missing, is_active=True
        ).values_list("pk", "creditor_id", "event_types"):
            memo[creditor_id].append((pk, types or []))
    return {c: memo[c] for c in creditor_ids}


def _outbox(items: list[tuple[int, int, str, dict[str, Any]]]) -> list[int]:
    """Write the delivery rows of ``items`` (creditor id, claim id, event type,
    data) in the current transaction; queue them once it commits.

    The claim's code, reference, stage and status are read now, inside the
    transaction: the claim as this change leaves it.
    """
    from claims.models import Claim
    from claims.models import WebhookDelivery

    if not items:
        return []
    endpoints = _endpoints({i[0] for i in items})
    wanted = []
    for item in items:
        ids = [pk for pk, types in endpoints[item[0]] if not types or item[2] in types]
        if ids:
            wanted.append((item, ids))
    if not wanted:
        return []
    claims = {
        c["pk"]: c
        for c in Claim.objects.filter(pk__in={i[1] for i, _e in wanted}).values(
            "pk", "code", "reference", "stage", "status"
        )
    }
    now = timezone.now()
    rows = []
    for (_creditor_id, claim_id, event, data), endpoint_ids in wanted:
        claim = claims[claim_id]
        event_id = uuid.uuid4()
        payload = {
            "id": str(event_id),
            "type": event,
            "created": now.isoformat(),
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
                endpoint_id=pk,
                event_id=event_id,
                event_type=event,
                payload=payload,
                next_attempt_at=now,
                created_at=now,
            )
            for pk in endpoint_ids
        ]
    ids = [r.pk for r in WebhookDelivery.objects.bulk_create(rows, batch_size=500)]
    transaction.on_commit(lambda: _queue(ids), robust=True)
    return ids


def _queue(ids: list[int], *, replay: bool = False) -> None:
    """One task per delivery, on one broker connection. A broker that cannot
    take them loses nothing: the rows stay pending and the sweep queues them."""
    from claims.ledger.tasks import webhook_deliver_task

    if not ids:
        return
    try:
        with webhook_deliver_task.app.producer_or_acquire() as producer:
            for pk in ids:
                webhook_deliver_task.apply_async(
                    (pk,), {"replay": replay} if replay else {}, producer=producer
                )
    except Exception:
        log.warning(
            "webhooks: %d deliveries not queued; the sweep will",
            len(ids),
            exc_info=True,
        )


def webhooks_sweep(*, now: Any = None, limit: int = 1000) -> list[int]:
    """Queue again the pending deliveries whose task was lost (worker killed,
    broker down or emptied): due for longer than ``WEBHOOKS_SWEEP_AFTER_SECONDS``
    and not being sent. Runs every minute (beat) and as ``manage.py webhooks_sweep``."""
    from claims.models import WebhookDelivery

    now = now or timezone.now()
    grace = dt.timedelta(seconds=settings.WEBHOOKS_SWEEP_AFTER_SECONDS)
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(delivered_at__isnull=True, next_attempt_at__lte=now - grace)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        # The next sweep leaves them the same grace to be sent.
        WebhookDelivery.objects.filter(pk__in=ids).update(
            next_attempt_at=now, leased_until=None
        )
        transaction.on_commit(lambda: _queue(ids), robust=True)
    if ids:
        log.warning("webhooks: %d lost deliveries queued again", len(ids))
    return ids


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


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


def webhook_deliver(*, delivery_id: int, replay: bool = False) -> int | None:
    """POST one delivery; the seconds to wait before the next try, or None.

    The row is leased first (``leased_until``, one sender at a time, the
    attempt counted): a delivered, given-up or leased row is not sent. A
    ``replay`` (the owner's button) sends a delivered row again. The answer is
    kept (status, first 500 characters); a 2xx marks the row delivered, any
    other answer plans the next try with backoff, until the last one.
    The receiver may get a delivery twice (a worker killed after its request,
    before this records the answer): the event id, in the signed body and a
    header, lets it de-duplicate.
    """
    from claims.models import WebhookDelivery

    now = timezone.now()
    rows = WebhookDelivery.objects.filter(pk=delivery_id).filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    )
    if not replay:
        rows = rows.filter(delivered_at__isnull=True, next_attempt_at__isnull=False)
    won = rows.update(
        leased_until=now + dt.timedelta(seconds=LEASE_SECONDS),
        attempts=F("attempts") + 1,
        last_attempt_at=now,
    )
    if not won:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active and not replay:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            next_attempt_at=None, leased_until=None
        )
        return None
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
    now = timezone.now()
    fields: dict[str, Any] = {
        "last_status_code": status or None,
        "last_response": excerpt[:500],
        "leased_until": None,
    }
    retry_in = None
    if 200 <= status < 300:
        # The first success dates the delivery; a replay keeps that date.
        fields |= {
            "delivered_at": Coalesce("delivered_at", Value(now)),
            "next_attempt_at": None,
        }
    elif delivery.delivered_at is None and delivery.attempts < MAX_RETRIES + 1:
        retry_in = retry_delay(delivery.attempts - 1)
        fields["next_attempt_at"] = now + dt.timedelta(seconds=retry_in)
    elif delivery.delivered_at is None:
        fields["next_attempt_at"] = None  # given up; the owner may replay it
    WebhookDelivery.objects.filter(pk=delivery_id).update(**fields)
    return retry_in


def delivery_replay(delivery: Any) -> None:
    """The owner's replay: sent again with the same event id (and, if it was
    never delivered, pending again, so the sweep covers a lost task)."""
    from claims.models import WebhookDelivery

    if delivery.delivered_at is None:
        WebhookDelivery.objects.filter(
            pk=delivery.pk, delivered_at__isnull=True
        ).update(next_attempt_at=timezone.now())
    transaction.on_commit(lambda: _queue([delivery.pk], replay=True), robust=True)


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
