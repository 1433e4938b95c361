"""The public API's credentials and webhooks: per-creditor tokens and endpoints.

A token's secret and an endpoint's signing secret are shown once, at creation.
Only the SHA-256 of a token is stored; the webhook secret must be kept in clear
to sign each delivery (HMAC-SHA256, as Stripe and GitHub do).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .parties import Creditor

TOKEN_PREFIX = "rec_"  # noqa: S105 (a public prefix, not a secret)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A creditor's API credential. Revoked tokens stay, for the audit trail."""

    class Scope(models.TextChoices):
        READ = "read", _("Lecture")
        WRITE = "write", _("Lecture et écriture")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("nom"), max_length=100)
    # The first characters of the token, shown in the list to recognise it.
    prefix = models.CharField(max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(
        _("droits"), max_length=5, choices=Scope.choices, default=Scope.READ
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(
        _("dernière utilisation"), null=True, blank=True
    )
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE

    @classmethod
    def issue(cls, **fields: object) -> tuple[ApiToken, str]:
        """Create a token; the clear value is returned once and never stored."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            prefix=raw[:12], token_hash=token_hash(raw), **fields
        )
        return token, raw


class WebhookEndpoint(models.Model):
    """A URL of the creditor's that receives signed events."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("adresse (https)"), max_length=500)
    secret = models.CharField(max_length=64, editable=False)
    event_types = models.JSONField(_("événements"), default=list, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return self.is_active and (
            not self.event_types or event_type in self.event_types
        )


class WebhookDelivery(models.Model):
    """One event sent (or to send) to one endpoint; unique per (endpoint, event).

    The outbox: written in the transaction of the change it announces, so a
    committed change always has its rows. Pending while ``delivered_at`` is
    empty and ``next_attempt_at`` set (empty: given up after the last retry);
    ``leased_until`` marks an attempt in progress (one sender at a time).
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4)
    event_type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("envoi de webhook")
        verbose_name_plural = _("envois de webhooks")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_once"
            )
        ]
        indexes = [
            # The sweep reads the pending rows only.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_pending",
                condition=models.Q(delivered_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}"
