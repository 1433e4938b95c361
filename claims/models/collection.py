"""Scenarios and their steps, planned actions, disputes, plans and the judicial file."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models.querysets import CreditorScopedQuerySet

from .choices import Channel
from .choices import Country
from .choices import DebtorKind
from .choices import Language
from .ledger import Claim
from .ledger import Invoice
from .ledger import money_field
from .parties import Creditor
from .parties import Debtor


class Scenario(models.Model):
    """An ordered list of steps. ``creditor`` empty = a shipped default."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(
        Creditor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scenarios",
    )
    name = models.CharField(_("nom"), max_length=100)
    country = models.CharField(_("pays"), max_length=2, choices=Country.choices)
    debtor_kind = models.CharField(
        _("type de débiteur"), max_length=10, choices=DebtorKind.choices
    )
    is_active = models.BooleanField(_("actif"), default=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("scénario de relance")
        verbose_name_plural = _("scénarios de relance")
        ordering = ["country", "debtor_kind", "name"]

    def __str__(self) -> str:
        return self.name


class ScenarioStep(models.Model):
    """One step of a scenario: when, how, with which template, what may be claimed."""

    class Kind(models.TextChoices):
        PRE_DUE = "pre_due", _("Rappel avant échéance")
        FIRST_REMINDER = "first_reminder", _("Premier rappel")
        REMINDER = "reminder", _("Rappel")
        FORMAL_NOTICE = "formal_notice", _("Mise en demeure")
        CALL = "call", _("Appel téléphonique")
        ESCALATE = "escalate", _("Passage au judiciaire")

    class Anchor(models.TextChoices):
        DUE_DATE = "due_date", _("après l'échéance")
        PREVIOUS_STEP = "previous_step", _("après l'étape précédente")

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("ordre"))
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    offset_days = models.SmallIntegerField(
        _("délai (jours)"), help_text=_("Négatif = avant l'échéance.")
    )
    anchor = models.CharField(
        _("à compter de"),
        max_length=16,
        choices=Anchor.choices,
        default=Anchor.DUE_DATE,
    )
    min_days_since_contact = models.PositiveSmallIntegerField(
        _("jours minimum depuis le dernier contact"), default=0
    )
    channel = models.CharField(
        _("canal"), max_length=12, choices=Channel.choices, default=Channel.EMAIL
    )
    template = models.CharField(_("modèle"), max_length=40)
    claims_interest = models.BooleanField(_("réclame les intérêts"), default=False)
    claims_fees = models.BooleanField(_("réclame les indemnités"), default=False)
    fee = money_field(_("frais de l'étape"))
    deadline_days = models.PositiveSmallIntegerField(
        _("délai de paiement accordé (jours)"), default=15
    )
    attach_invoices = models.BooleanField(_("joindre les factures"), default=False)
    attach_pdf = models.BooleanField(_("joindre la lettre en PDF"), default=False)

    class Meta:
        verbose_name = _("étape de scénario")
        verbose_name_plural = _("étapes de scénario")
        ordering = ["scenario", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "position"], name="claims_step_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()} ({self.offset_days:+d} j)"


class Action(models.Model):
    """One scenario step for one claim on one date: planned → done/skipped/failed.

    Unique per (claim, step): an action can never be planned — hence sent — twice.
    A message goes planned → running (claimed) → sending (the intent to send,
    committed before any byte leaves) → done. A "sending" action whose worker
    vanished becomes "uncertain": the owner confirms or resends it, the engine
    never sends it again by itself (docs/reliability.md).
    """

    class State(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        RUNNING = "running", _("En cours")
        SENDING = "sending", _("Envoi en cours")
        UNCERTAIN = "uncertain", _("Envoi incertain")
        DONE = "done", _("Faite")
        SKIPPED = "skipped", _("Passée")
        FAILED = "failed", _("En échec")
        CANCELLED = "cancelled", _("Annulée")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(Creditor, on_delete=models.CASCADE, related_name="+")
    # No single-column indexes on claim and debtor: (claim, step) and
    # (claim, state) already start with claim_id, and nothing looks actions up
    # by debtor alone; two fewer indexes to write when planning in bulk.
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="actions", db_index=False
    )
    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    step = models.ForeignKey(
        ScenarioStep, on_delete=models.PROTECT, related_name="actions"
    )
    due_on = models.DateField(_("prévue le"))
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.PLANNED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # The last day to pay printed in the message of this step, once sent.
    deadline_on = models.DateField(_("délai de paiement donné"), null=True, blank=True)
    # The invoices the message of this step demanded (only those already due).
    invoices = models.ManyToManyField(
        Invoice, related_name="actions", blank=True, verbose_name=_("factures")
    )
    reason = models.CharField(_("motif / erreur"), max_length=500, blank=True)
    # Sends the owner asked for after an uncertain one: part of the Message-ID.
    resends = models.PositiveSmallIntegerField(default=0, db_default=0)
    # The Message-ID of the current attempt, recorded with the intent to send.
    message_id = models.CharField(
        _("Message-ID"), max_length=255, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "step"], name="claims_one_action_per_step"
            )
        ]
        indexes = [
            models.Index(
                fields=["due_on", "creditor"],
                name="action_due_planned",
                condition=Q(state="planned"),
            ),
            models.Index(
                fields=["state", "started_at"],
                name="action_in_flight",
                condition=Q(state__in=["running", "sending"]),
            ),
            models.Index(
                fields=["creditor"],
                name="action_uncertain",
                condition=Q(state="uncertain"),
            ),
            models.Index(fields=["claim", "state"], name="action_claim_state"),
            # The forecast's live selection (claims.engine.run._forecast_rows):
            # one creditor's planned actions due by a date, read from the index.
            models.Index(
                fields=["creditor", "due_on"],
                name="action_planned_creditor_due",
                condition=Q(state="planned"),
            ),
            # The forecast's pending steps of its claims (the same states as
            # delivery: claims.engine.run._forecast_simulate).
            models.Index(
                fields=["claim"],
                name="action_pending_claim",
                condition=Q(state__in=["planned", "running", "sending", "uncertain"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim.reference} — {self.step} — {self.get_state_display()}"


class SendJournal(models.Model):
    """The server's answers during a batch's send, journaled as they come.

    One row per message of a batch being sent, written on a connection of its
    own in autocommit (the batch's transaction holds the claims and actions
    locked until the done marks): the rows before the first message, then
    each answer right after it (``a`` accepted, ``r`` refused). The batch's
    done marks delete its rows in their transaction. A worker killed meanwhile
    leaves them: recovery then knows which messages the server accepted (done,
    never sent again), which one was in flight (uncertain, for the owner) and
    which never left (planned again). See docs/reliability.md.
    """

    # Internal bookkeeping, never shown: no translated labels.
    class Answer(models.TextChoices):
        PENDING = "", "pending"
        ACCEPTED = "a", "accepted"
        REFUSED = "r", "refused"

    batch = models.UUIDField()
    position = models.PositiveIntegerField()
    message_id = models.CharField(max_length=255, db_index=True)
    answer = models.CharField(
        max_length=1, choices=Answer.choices, blank=True, default=""
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "send journal"
        verbose_name_plural = "send journal"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "position"], name="send_journal_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.get_answer_display()}"


class Dispute(models.Model):
    """The debtor contests all or part of a claim: automatic steps stop."""

    class Status(models.TextChoices):
        OPEN = "open", _("Ouverte")
        ACCEPTED = "accepted", _("Acceptée")
        REJECTED = "rejected", _("Rejetée")
        CREDITED = "credited", _("Note de crédit émise")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="disputes")
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes",
    )
    amount = models.DecimalField(
        _("montant contesté"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("motif"))
    source = models.CharField(_("origine"), max_length=10, default="creditor")
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    answer = models.TextField(_("réponse"), blank=True)
    attachment = models.FileField(
        _("pièce jointe"), upload_to="disputes/%Y/%m/", blank=True
    )
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contestation")
        verbose_name_plural = _("contestations")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.claim.reference}: {self.get_status_display()}"


class PaymentPlan(models.Model):
    """Instalments agreed with the debtor (plan d'apurement)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Demandé par le débiteur")
        PROPOSED = "proposed", _("Proposé")
        ACTIVE = "active", _("En cours")
        COMPLETED = "completed", _("Terminé")
        BROKEN = "broken", _("Rompu")
        DECLINED = "declined", _("Refusé")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    requested_by_debtor = models.BooleanField(default=False)
    grace_days = models.PositiveSmallIntegerField(
        _("délai de grâce (jours)"), default=7
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Payments dated from this day on count toward the instalments.
    accepted_on = models.DateField(_("accepté le"), null=True, blank=True)
    # The debtor's acceptance in the portal (a click): when and from where.
    accepted_at = models.DateTimeField(_("accepté en ligne le"), null=True, blank=True)
    accepted_ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan d'apurement")
        verbose_name_plural = _("plans d'apurement")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.claim.reference}: {self.get_status_display()}"


class Instalment(models.Model):
    plan = models.ForeignKey(
        PaymentPlan, on_delete=models.CASCADE, related_name="instalments"
    )
    due_on = models.DateField(_("échéance"))
    amount = money_field(_("montant"))
    paid = money_field(_("payé"))

    class Meta:
        verbose_name = _("mensualité")
        verbose_name_plural = _("mensualités")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.due_on}: {self.amount}"


class JudicialCase(models.Model):
    """The judicial path of a claim: route, handler, dates, costs and outcome."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("En cours")
        PAID = "paid", _("Payé")
        PARTIAL = "partial", _("Payé en partie")
        TITLE = "title", _("Titre obtenu")
        UNRECOVERABLE = "unrecoverable", _("Irrécouvrable")
        ABANDONED = "abandoned", _("Abandonné")

    claim = models.OneToOneField(
        Claim, on_delete=models.PROTECT, related_name="judicial"
    )
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="+")
    route = models.CharField(_("procédure"), max_length=40)
    handler_name = models.CharField(_("huissier / avocat"), max_length=200, blank=True)
    handler_email = models.EmailField(_("e-mail du mandataire"), blank=True)
    handed_off_on = models.DateField(_("transmis le"), null=True, blank=True)
    served_on = models.DateField(_("signifié le"), null=True, blank=True)
    contest_deadline = models.DateField(
        _("délai pour contester"), null=True, blank=True
    )
    title_obtained_on = models.DateField(
        _("titre exécutoire obtenu le"), null=True, blank=True
    )
    judgment_on = models.DateField(_("jugement le"), null=True, blank=True)
    enforcement_on = models.DateField(_("exécution le"), null=True, blank=True)
    costs_advanced = money_field(_("frais avancés"))
    costs_recovered = money_field(_("frais récupérés"))
    amount_recovered = money_field(_("montant récupéré"))
    outcome = models.CharField(
        _("issue"), max_length=14, choices=Outcome.choices, default=Outcome.PENDING
    )
    notes = models.TextField(_("notes"), blank=True)
    contact = models.ForeignKey(
        "LegalContact",
        verbose_name=_("huissier / avocat"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )

    class Meta:
        verbose_name = _("dossier judiciaire")
        verbose_name_plural = _("dossiers judiciaires")

    def __str__(self) -> str:
        return f"{self.claim.reference}: {self.route}"


class LegalContact(models.Model):
    """The creditor's directory of bailiffs and lawyers (legal-brief §11 (c))."""

    class Kind(models.TextChoices):
        BAILIFF = "bailiff", _("Huissier / commissaire de justice")
        LAWYER = "lawyer", _("Avocat")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="legal_contacts"
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("qualité"), max_length=10, choices=Kind.choices)
    firm = models.CharField(_("étude ou cabinet"), max_length=200, blank=True)
    enterprise_number = models.CharField(
        _("numéro d'entreprise (BCE / SIREN)"), max_length=20, blank=True
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.TextField(_("adresse"), blank=True)
    language = models.CharField(
        _("langue du dossier"),
        max_length=2,
        choices=[c for c in Language.choices if c[0] in ("fr", "nl", "en")],
        blank=True,
        help_text=_("Vide : la langue de votre entreprise."),
    )

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("huissier ou avocat")
        verbose_name_plural = _("huissiers et avocats")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class JudicialStep(models.Model):
    """One dated step of the judicial track, with its costs, money and document.

    Append-only: a correction is a new step. The document is archived with its
    SHA-256 like every other document of the claim.
    """

    class Kind(models.TextChoices):
        HANDOFF = "handoff", _("Procédure choisie, dossier transmis")
        SERVED = "served", _("Sommation, requête ou citation signifiée")
        TITLE = "title", _("Titre exécutoire ou jugement obtenu")
        ENFORCEMENT = "enforcement", _("Exécution (saisie, paiement par l'huissier)")
        CLOSED = "closed", _("Dossier judiciaire clôturé")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        JudicialCase, on_delete=models.PROTECT, related_name="steps"
    )
    kind = models.CharField(_("étape"), max_length=12, choices=Kind.choices)
    on = models.DateField(_("date"))
    deadline = models.DateField(_("échéance"), null=True, blank=True)
    deadline_label = models.CharField(
        _("objet de l'échéance"), max_length=300, blank=True
    )
    costs_advanced = money_field(_("frais avancés"))
    costs_recovered = money_field(_("frais récupérés sur le débiteur"))
    costs_awarded = money_field(
        _("frais mis à charge du débiteur par le titre"),
    )
    amount_collected = money_field(_("montant encaissé"))
    note = models.TextField(_("note"), blank=True)
    document = models.FileField(_("document"), upload_to="judicial/%Y/%m/", blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    document_sha256 = models.CharField(
        _("empreinte SHA-256"), max_length=64, blank=True, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("étape judiciaire")
        verbose_name_plural = _("étapes judiciaires")
        ordering = ["on", "created_at", "pk"]
        indexes = [models.Index(fields=["creditor", "deadline"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%d/%m/%Y}"


class RouteCost(models.Model):
    """Editable cost table used by the route advisor (legal-brief §13.5: ⚠️)."""

    route = models.CharField(_("procédure"), max_length=40)
    label = models.CharField(_("poste"), max_length=200)
    amount = models.DecimalField(
        _("montant estimé (EUR)"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    recoverable = models.BooleanField(_("récupérable sur le débiteur"), default=False)
    source = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("coût de procédure")
        verbose_name_plural = _("coûts de procédure")
        ordering = ["route", "label"]

    def __str__(self) -> str:
        return f"{self.route}: {self.label}"


class PortalToken(models.Model):
    """A debtor's personal access to the portal; only a hash is stored."""

    creditor = models.ForeignKey(Creditor, on_delete=models.CASCADE, related_name="+")
    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, related_name="portal_tokens"
    )
    claim = models.ForeignKey(
        Claim,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="portal_tokens",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    short_code = models.CharField(max_length=12, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("accès portail")
        verbose_name_plural = _("accès portail")

    def __str__(self) -> str:
        return f"{self.debtor} ({self.short_code})"
