"""Claims, their invoices, the payment ledger, waivers and the event timeline."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.ledger.timeline import Said
from claims.ledger.timeline import event_text
from claims.models.querysets import AppendOnlyQuerySet
from claims.models.querysets import ClaimQuerySet
from claims.models.querysets import CreditorScopedQuerySet

from .choices import ClosedReason
from .choices import InvoiceKind
from .choices import PaymentMethod
from .choices import Stage
from .parties import Creditor
from .parties import Debtor

ZERO = Decimal("0.00")


def money_field(verbose_name: str, **kwargs: Any) -> models.DecimalField:
    """Money: Decimal to the cent, never float (design.md §6)."""
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


class Claim(models.Model):
    """What one debtor owes one creditor: the unit that moves through stages.

    ``principal``, ``paid``, ``balance`` and ``due_*`` are the statement of
    account (claims.law.statement) computed on ``figures_at`` and stored for the
    lists, the dashboard and the exports — never a second formula: they are
    written only by ``claims.ledger.services.claims_refresh_figures`` (ledger services,
    the engine, and the nightly refresh while interest keeps running).
    ``balance`` is what the statement says is due (principal + interest + costs),
    minus any credit kept for the debtor: ``balance <= 0`` means nothing is due.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Ouverte")
        CLOSED = "closed", _("Clôturée")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="claims"
    )
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="claims")
    reference = models.CharField(_("référence"), max_length=40)
    structured_reference = models.CharField(
        _("communication structurée / référence de paiement"), max_length=32, blank=True
    )
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    status = models.CharField(
        _("statut"), max_length=6, choices=Status.choices, default=Status.OPEN
    )
    stage = models.CharField(
        _("étape"), max_length=16, choices=Stage.choices, default=Stage.AMICABLE
    )
    stage_entered_on = models.DateField(
        _("étape depuis le"), default=timezone.localdate
    )
    resume_stage = models.CharField(
        _("étape à reprendre"),
        max_length=16,
        choices=Stage.choices,
        blank=True,
        help_text=_(
            "Étape reprise à la fin d'une pause, d'une contestation ou d'un plan."
        ),
    )
    closed_reason = models.CharField(
        _("motif de clôture"), max_length=12, choices=ClosedReason.choices, blank=True
    )
    closed_on = models.DateField(_("clôturée le"), null=True, blank=True)
    paused_until = models.DateField(_("en pause jusqu'au"), null=True, blank=True)
    scenario = models.ForeignKey(
        "claims.Scenario",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
    )
    next_action_on = models.DateField(_("prochaine action le"), null=True, blank=True)
    # Terms agreed with this debtor (override the creditor's defaults).
    contract_rate = models.DecimalField(
        _("taux contractuel (%/an)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
    )
    penalty_clause_percent = models.DecimalField(
        _("clause pénale (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    penalty_clause_minimum = models.DecimalField(
        _("clause pénale minimum"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    terms_reference = models.CharField(
        _("contrat / conditions"), max_length=200, blank=True
    )
    has_debtor_writing = models.BooleanField(
        _("écrit émanant du débiteur"),
        default=False,
        help_text=_(
            "Bon de commande signé, devis accepté… (requis pour l'injonction de payer belge, art. 1338 C.J.)"
        ),
    )
    is_regular_supply = models.BooleanField(
        _("contrat de fourniture régulière"),
        default=False,
        help_text=_("Trois rappels gratuits par an (art. XIX.2 CDE)."),
    )
    # Dates the law keys on (Book XIX waiting period, FR consumer interest).
    first_reminder_sent_on = models.DateField(
        _("premier rappel envoyé le"), null=True, blank=True
    )
    first_reminder_channel = models.CharField(
        _("canal du premier rappel"), max_length=12, blank=True
    )
    formal_notice_sent_on = models.DateField(
        _("mise en demeure envoyée le"), null=True, blank=True
    )
    last_contact_on = models.DateField(_("dernier contact le"), null=True, blank=True)
    # Last day to pay printed in the last message sent (claims.law.calendar.
    # message_deadline): no step goes out before the day after it.
    reply_by = models.DateField(_("délai de réponse jusqu'au"), null=True, blank=True)
    amicable_exhausted_on = models.DateField(
        _("phase amiable épuisée le"), null=True, blank=True
    )
    # The statement's figures on ``figures_at`` (see class docstring).
    principal = money_field(_("principal"))
    paid = money_field(_("payé"))
    balance = money_field(_("solde"))
    due_principal = money_field(_("principal dû"))
    due_interest = money_field(_("intérêts dus"))
    due_costs = money_field(_("frais dus"))
    figures_at = models.DateField(_("montants calculés au"), null=True, blank=True)
    oldest_due_date = models.DateField(
        _("échéance la plus ancienne"), null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("créance")
        verbose_name_plural = _("créances")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "reference"], name="claims_unique_reference"
            ),
            models.UniqueConstraint(
                fields=["creditor", "structured_reference"],
                condition=~Q(structured_reference=""),
                name="claims_unique_structured_reference",
            ),
            models.CheckConstraint(
                condition=Q(principal__gte=0), name="claims_principal_positive"
            ),
        ]
        indexes = [
            # The collection tick: open claims whose next action is due.
            models.Index(
                fields=["next_action_on"],
                name="claim_next_action_open",
                condition=Q(status="open"),
            ),
            models.Index(
                fields=["creditor", "status", "stage"],
                name="claim_creditor_status_stage",
            ),
            models.Index(
                fields=["creditor", "oldest_due_date"], name="claim_creditor_due"
            ),
            models.Index(fields=["debtor", "status"], name="claim_debtor_status"),
            # The tick's selection (claims.engine.run.actions_due): the open
            # claims in an automatic stage and their pause, read from the
            # index alone rather than by a scan of every claim.
            models.Index(
                fields=["id", "paused_until"],
                name="claim_open_automatic",
                condition=Q(status="open", stage__in=["amicable", "formal_notice"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.debtor}"

    def get_absolute_url(self) -> str:
        return reverse("claims:claim_detail", kwargs={"code": self.code})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def amount_due(self) -> Decimal:
        """What the statement said was due on ``figures_at`` (never negative)."""
        return max(self.balance, ZERO)


class Invoice(models.Model):
    """An invoice (or credit note) carried by a claim. Amounts include VAT."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="invoices"
    )
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(
        _("type"),
        max_length=12,
        choices=InvoiceKind.choices,
        default=InvoiceKind.INVOICE,
    )
    number = models.CharField(_("numéro"), max_length=50)
    issue_date = models.DateField(_("date de facture"))
    due_date = models.DateField(_("échéance"))
    delivery_date = models.DateField(
        _("date de livraison / prestation"), null=True, blank=True
    )
    amount = money_field(_("montant TVAC"))
    vat_amount = money_field(_("dont TVA"))
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    description = models.CharField(_("objet"), max_length=300, blank=True)
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    # A cancelled credit note keeps its row; its counter-entry (same amount,
    # negative) points at it. Only a counter-entry may be negative.
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    source = models.CharField(_("origine"), max_length=10, default="manual")
    attachment = models.FileField(
        _("pièce (PDF)"), upload_to="invoices/%Y/%m/", blank=True
    )
    # Invoice by invoice (design.md §6): the first message that demanded this
    # invoice once it was due is its own first reminder; the law keys its
    # charges on these dates (Book XIX waiting period, FR consumer interest).
    first_reminder_sent_on = models.DateField(
        _("premier rappel envoyé le"), null=True, blank=True
    )
    first_reminder_channel = models.CharField(
        _("canal du premier rappel"), max_length=12, blank=True
    )
    formal_notice_sent_on = models.DateField(
        _("mise en demeure envoyée le"), null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["due_date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "kind", "number"],
                name="claims_unique_invoice_number",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(reverses__isnull=False),
                name="claims_invoice_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("issue_date")),
                name="claims_due_after_issue",
            ),
        ]
        indexes = [
            models.Index(fields=["creditor", "number"], name="invoice_creditor_number")
        ]

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    """Money received: an append-only ledger row. Corrections are reversing rows."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="payments"
    )
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payments")
    date = models.DateField(_("date de valeur"))
    amount = models.DecimalField(_("montant"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    method = models.CharField(
        _("mode"),
        max_length=12,
        choices=PaymentMethod.choices,
        default=PaymentMethod.TRANSFER,
    )
    reference = models.CharField(_("référence"), max_length=140, blank=True)
    payer_iban = models.CharField(_("IBAN du payeur"), max_length=34, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    idempotency_key = models.CharField(
        max_length=128, null=True, blank=True, unique=True
    )
    match_reason = models.CharField(
        _("motif du rapprochement"), max_length=200, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["date", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0), name="claims_payment_not_zero"
            ),
            # Only a reversal may be negative.
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(reverses__isnull=False),
                name="claims_payment_negative_is_reversal",
            ),
        ]
        indexes = [
            models.Index(fields=["claim", "date"], name="payment_claim_date"),
            models.Index(fields=["creditor", "date"], name="payment_creditor_date"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} {self.date}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard, not a business rule: ledger rows are written once.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Payment rows are append-only; record a reversal instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Payment rows are append-only; record a reversal instead")


class Waiver(models.Model):
    """An explicit, recorded renunciation of interest or fees on a claim."""

    class Kind(models.TextChoices):
        INTEREST = "interest", _("Intérêts")
        COSTS = "costs", _("Frais et indemnités")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="waivers")
    kind = models.CharField(_("objet"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(
        _("montant"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Vide = renonciation totale."),
    )
    reason = models.CharField(_("motif"), max_length=300)
    # A cancelled waiver keeps its row; its counter-entry points at it.
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("renonciation")
        verbose_name_plural = _("renonciations")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.reason}"


class Event(models.Model):
    """An immutable entry of a claim's timeline: who, when, what, before/after."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Créance ouverte")
        INVOICE_ADDED = "invoice_added", _("Facture ajoutée")
        PAYMENT = "payment", _("Paiement")
        STAGE = "stage", _("Changement d'étape")
        ACTION_DONE = "action_done", _("Action exécutée")
        ACTION_SKIPPED = "action_skipped", _("Action passée")
        ACTION_FAILED = "action_failed", _("Action en échec")
        ACTION_UNCERTAIN = "action_uncertain", _("Envoi incertain")
        EMAIL = "email", _("E-mail")
        DOCUMENT = "document", _("Document")
        NOTE = "note", _("Note")
        DISPUTE = "dispute", _("Contestation")
        PLAN = "plan", _("Plan d'apurement")
        PORTAL = "portal", _("Portail débiteur")
        WAIVER = "waiver", _("Renonciation")
        JUDICIAL = "judicial", _("Judiciaire")
        UPDATE = "update", _("Modification")

    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(
        _("auteur"),
        max_length=100,
        blank=True,
        help_text=_("« système », « débiteur »…"),
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    message = models.CharField(_("description"), max_length=500)
    data = models.JSONField(_("données"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["claim", "-at"], name="event_claim_at")]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.message, Said):
            # A sentence written with claims.ledger.timeline.said: its id and
            # parameters are kept so that every reader gets it in their
            # language; ``message`` stays the French text (exports, webhooks).
            self.data = {**(self.data or {}), **self.message.stored()}
            self.message = str(self.message)[:500]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.message}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard: the timeline is evidence and is written once.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Events are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Events are immutable")

    @property
    def text(self) -> str:
        """This entry in the active language (claims.ledger.timeline.event_text)."""
        return event_text(self)
