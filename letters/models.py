"""Documents (archived once, with their hash), outgoing messages, wording overrides."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import Action
from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models.querysets import CreditorScopedQuerySet


class Document(models.Model):
    """A rendered letter, formal notice or bailiff file. Stored once, never re-rendered."""

    class Kind(models.TextChoices):
        PRE_DUE = "pre_due", _("Rappel avant échéance")
        REMINDER = "reminder", _("Rappel")
        FORMAL_NOTICE = "formal_notice", _("Mise en demeure")
        PLAN = "plan", _("Plan d'apurement")
        THANK_YOU = "thank_you", _("Remerciement")
        BAILIFF_COVER = "bailiff_cover", _("Lettre à l'huissier")
        BAILIFF_FILE = "bailiff_file", _("Dossier huissier (ZIP)")
        STATEMENT = "statement", _("Décompte")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="documents"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    debtor = models.ForeignKey(
        Debtor, on_delete=models.PROTECT, related_name="documents"
    )
    action = models.ForeignKey(
        Action,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    language = models.CharField(_("langue"), max_length=2, default="fr")
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to="documents/%Y/%m/")
    mime_type = models.CharField(max_length=100, default="application/pdf")
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, db_index=True)
    channel = models.CharField(_("canal"), max_length=12, blank=True)
    recipients = models.JSONField(_("destinataires"), default=list, blank=True)
    rendered_at = models.DateTimeField(_("produit le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-rendered_at"]
        indexes = [
            models.Index(
                fields=["claim", "-rendered_at"], name="document_claim_rendered"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Archived documents are kept as proof")


class OutboundMessage(models.Model):
    """One email sent (or tried) to a debtor, possibly covering several claims."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En file")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("En échec")
        BOUNCED = "bounced", _("Rejeté")
        CANCELLED = "cancelled", _("Annulé avant l'envoi")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="messages"
    )
    debtor = models.ForeignKey(
        Debtor, on_delete=models.PROTECT, related_name="messages"
    )
    claims = models.ManyToManyField(Claim, related_name="messages", blank=True)
    actions = models.ManyToManyField(Action, related_name="messages", blank=True)
    documents = models.ManyToManyField(Document, related_name="messages", blank=True)
    template = models.CharField(max_length=40)
    subject = models.CharField(_("objet"), max_length=300)
    to = models.JSONField(_("destinataires"), default=list)
    cc = models.JSONField(_("copie"), default=list, blank=True)
    message_id = models.CharField(
        _("Message-ID"), max_length=255, blank=True, db_index=True
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("erreur"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The message as built for sending (RFC 822 bytes, attachments included):
    # the hand-off file ships it as an .eml.
    eml = models.FileField(upload_to="messages/%Y/%m/", blank=True)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mail envoyé")
        verbose_name_plural = _("e-mails envoyés")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class TemplateOverride(models.Model):
    """A creditor's own wording for one template and language (validated before save)."""

    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="template_overrides"
    )
    template = models.CharField(_("modèle"), max_length=40)
    language = models.CharField(_("langue"), max_length=2)
    subject = models.CharField(_("objet"), max_length=300, blank=True)
    body = models.TextField(_("texte"))
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("texte personnalisé")
        verbose_name_plural = _("textes personnalisés")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "template", "language"], name="letters_one_override"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} ({self.language})"


class PostalProof(models.Model):
    """The post office's proof of a registered letter: receipt number and scan.

    Recorded by the creditor for a document sent by registered post; the scan
    is stored outside the web root with its SHA-256 and served only to the
    creditor's members; it goes into the hand-off file.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="postal_proofs"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, related_name="postal_proofs"
    )
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="postal_proofs"
    )
    receipt_number = models.CharField(_("numéro de l'envoi recommandé"), max_length=40)
    posted_on = models.DateField(_("déposé le"))
    scan = models.FileField(_("preuve de dépôt (scan)"), upload_to="proofs/%Y/%m/")
    scan_sha256 = models.CharField(max_length=64)
    mime_type = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("preuve d'envoi recommandé")
        verbose_name_plural = _("preuves d'envoi recommandé")
        ordering = ["posted_on", "pk"]

    def __str__(self) -> str:
        return self.receipt_number
