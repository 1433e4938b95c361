"""Imported bank statements and their lines, matched to claims."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models.querysets import CreditorScopedQuerySet

from .ledger import Claim
from .ledger import Payment
from .parties import Creditor


class BankImport(models.Model):
    class Format(models.TextChoices):
        CAMT053 = "camt053", "CAMT.053"
        CODA = "coda", "CODA"

    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="bank_imports"
    )
    filename = models.CharField(_("fichier"), max_length=255)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    lines_total = models.PositiveIntegerField(default=0)
    lines_matched = models.PositiveIntegerField(default=0)
    lines_duplicate = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True
    )
    imported_at = models.DateTimeField(default=timezone.now)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("relevé importé")
        verbose_name_plural = _("relevés importés")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.filename


class BankLine(models.Model):
    """A credit line of a statement; booked as a Payment once matched."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("Rapprochée")
        AMBIGUOUS = "ambiguous", _("Ambiguë")
        UNMATCHED = "unmatched", _("Non rapprochée")
        IGNORED = "ignored", _("Ignorée")

    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="bank_lines"
    )
    bank_import = models.ForeignKey(
        BankImport, on_delete=models.PROTECT, related_name="lines"
    )
    idempotency_key = models.CharField(max_length=128)
    booking_date = models.DateField(_("date"))
    value_date = models.DateField(_("date valeur"), null=True, blank=True)
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    counterparty_name = models.CharField(_("contrepartie"), max_length=200, blank=True)
    counterparty_iban = models.CharField(
        _("IBAN contrepartie"), max_length=34, blank=True
    )
    structured_reference = models.CharField(
        _("communication structurée"), max_length=40, blank=True
    )
    free_text = models.TextField(_("communication"), blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.UNMATCHED
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_line",
    )
    match_reason = models.CharField(_("motif"), max_length=200, blank=True)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ligne de relevé")
        verbose_name_plural = _("lignes de relevé")
        ordering = ["-booking_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "idempotency_key"], name="claims_bank_line_once"
            ),
        ]
        indexes = [
            models.Index(fields=["creditor", "status"], name="bankline_creditor_status")
        ]

    def __str__(self) -> str:
        return f"{self.booking_date} {self.amount} {self.counterparty_name}"


class ImportMapping(models.Model):
    """Column mapping of a CSV import, remembered per creditor and kind of file."""

    class Kind(models.TextChoices):
        INVOICES = "invoices", _("Débiteurs et factures")

    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="import_mappings"
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    mapping = models.JSONField(_("correspondance des colonnes"), default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("correspondance d'import")
        verbose_name_plural = _("correspondances d'import")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "kind"], name="claims_one_mapping_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.creditor_id}: {self.kind}"


class ImportJob(models.Model):
    """A file import run in the background: its progress, then its report.

    The import's transaction holds this row and writes its report (status,
    rows done and total, the refused rows with their line and reason, in the
    language of the person who started it) with the data: both commit or
    neither. Progress meanwhile is in the cache (claims.money_in.jobs)."""

    class Kind(models.TextChoices):
        INVOICES = "invoices", _("Débiteurs et factures (CSV)")
        BANK = "bank", _("Relevé bancaire")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Refusé")

    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="import_jobs"
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("statut"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    filename = models.CharField(_("fichier"), max_length=255, blank=True)
    stored_name = models.CharField(max_length=255, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=8, blank=True)
    rows_total = models.PositiveIntegerField(_("lignes"), default=0)
    rows_done = models.PositiveIntegerField(_("lignes traitées"), default=0)
    rows_imported = models.PositiveIntegerField(_("lignes importées"), default=0)
    errors = models.JSONField(_("lignes refusées"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("import de fichier")
        verbose_name_plural = _("imports de fichiers")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
