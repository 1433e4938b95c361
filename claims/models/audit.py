"""The security audit log: logins, exports, downloads, anonymisation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models.querysets import AppendOnlyQuerySet

from .parties import Creditor


class AuditEntry(models.Model):
    """One security-relevant act. Written once, never changed nor deleted."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Connexion")
        LOGIN_FAILED = "login_failed", _("Échec de connexion")
        LOGIN_BLOCKED = "login_blocked", _("Connexion bloquée")
        LOGOUT = "logout", _("Déconnexion")
        OTP_ENABLED = "otp_enabled", _("Double authentification activée")
        OTP_DISABLED = "otp_disabled", _("Double authentification désactivée")
        OTP_FAILED = "otp_failed", _("Code de vérification refusé")
        EXPORT = "export", _("Export")
        DOCUMENT_DOWNLOAD = "document_download", _("Téléchargement de document")
        DATA_EXPORT = "data_export", _("Export des données d'un débiteur")
        ANONYMISE = "anonymise", _("Anonymisation")
        MEMBER_INVITED = "member_invited", _("Invitation d'un membre")
        MEMBER_JOINED = "member_joined", _("Invitation acceptée")
        MEMBER_ROLE = "member_role", _("Rôle d'un membre modifié")
        API_WRITE = "api_write", _("Écriture par l'API")
        API_TOKEN = "api_token", _("Jeton d'API créé ou révoqué")
        WEBHOOK = "webhook", _("Webhook modifié")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("identifiant"), max_length=150, blank=True)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    detail = models.JSONField(_("détail"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["creditor", "-at"], name="audit_creditor_at"),
            models.Index(fields=["kind", "-at"], name="audit_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard: the audit log is evidence and is written once.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Audit entries are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit entries are immutable")
