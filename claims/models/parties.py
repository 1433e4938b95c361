"""Creditors (the tenants), their members, and debtors with their contacts."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models.querysets import CreditorScopedQuerySet

from .choices import AllocationOrder
from .choices import Country
from .choices import DebtorKind
from .choices import Language
from .choices import Role


def _validate_timezone(value: str) -> None:
    from zoneinfo import ZoneInfo
    from zoneinfo import ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("Fuseau horaire inconnu : %(v)s"), params={"v": value}
        ) from exc


def _normalise_identifiers(
    obj: Any, *, country: str, required_enterprise: bool
) -> None:
    from claims.ledger.validators import normalize_enterprise_number
    from claims.ledger.validators import normalize_vat_number

    errors: dict[str, list[str]] = {}
    try:
        obj.enterprise_number = normalize_enterprise_number(
            obj.enterprise_number, country
        )
    except ValidationError as exc:
        errors["enterprise_number"] = exc.messages
    if (
        required_enterprise
        and not obj.enterprise_number
        and "enterprise_number" not in errors
    ):
        errors["enterprise_number"] = [
            str(_("Le numéro d'entreprise est obligatoire."))
        ]
    try:
        obj.vat_number = normalize_vat_number(obj.vat_number)
    except ValidationError as exc:
        errors["vat_number"] = exc.messages
    if errors:
        raise ValidationError(errors)


class Address(models.Model):
    """Postal address fields shared by creditors and debtors."""

    address_line1 = models.CharField(_("adresse"), max_length=200, blank=True)
    address_line2 = models.CharField(
        _("complément d'adresse"), max_length=200, blank=True
    )
    postal_code = models.CharField(_("code postal"), max_length=20, blank=True)
    city = models.CharField(_("localité"), max_length=100, blank=True)
    country = models.CharField(_("pays"), max_length=2, default=Country.BE)

    class Meta:
        abstract = True

    def address_lines(self) -> list[str]:
        """The address as printed on an envelope, one line per entry."""
        lines = [
            self.address_line1,
            self.address_line2,
            f"{self.postal_code} {self.city}".strip(),
        ]
        return [line for line in lines if line]


class Creditor(Address):
    """A business that is owed money: the tenant. Every query is scoped to one."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    legal_name = models.CharField(_("dénomination"), max_length=200)
    trade_name = models.CharField(_("nom commercial"), max_length=200, blank=True)
    legal_form = models.CharField(_("forme juridique"), max_length=50, blank=True)
    country = models.CharField(
        _("pays"), max_length=2, choices=Country.choices, default=Country.BE
    )
    enterprise_number = models.CharField(
        _("numéro d'entreprise"),
        max_length=20,
        help_text=_("BCE/KBO (Belgique) ou SIREN/SIRET (France)"),
    )
    vat_number = models.CharField(_("numéro de TVA"), max_length=20, blank=True)
    # Identity a letter must carry: Belgian RPM/RPR seat (art. III.25 CDE),
    # French RCS city and share capital (art. R123-237 C. com.).
    register_city = models.CharField(
        _("greffe (RPM/RPR ou RCS)"),
        max_length=100,
        blank=True,
        help_text=_("Siège du RPM/RPR (Belgique) ou ville du RCS (France), ex. Liège."),
    )
    share_capital = models.DecimalField(
        _("capital social (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    email = models.EmailField(_("e-mail d'envoi"))
    reply_to = models.EmailField(_("adresse de réponse"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    website = models.URLField(_("site web"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    # The general terms as the debtor accepted them (PDF), for the hand-off
    # file; stored outside the web root, served to the creditor's members only.
    terms_file = models.FileField(
        _("conditions générales (PDF)"), upload_to="terms/", blank=True
    )
    terms_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    language = models.CharField(
        _("langue"), max_length=2, choices=Language.choices, default=Language.FR
    )
    time_zone = models.CharField(
        _("fuseau horaire"),
        max_length=64,
        default="Europe/Brussels",
        validators=[_validate_timezone],
    )
    send_hour = models.PositiveSmallIntegerField(
        _("heure d'envoi"),
        default=9,
        validators=[MaxValueValidator(23)],
        help_text=_("Heure locale à partir de laquelle les relances du jour partent."),
    )
    emails_on_non_working_days = models.BooleanField(
        _("e-mails aussi le week-end et les jours fériés"),
        default=False,
        help_text=_(
            "Les courriers, postaux ou recommandés, ne partent jamais un week-end "
            "ni un jour férié."
        ),
    )
    plan_reminder_days = models.PositiveSmallIntegerField(
        _("rappel avant chaque mensualité (jours)"),
        default=3,
        validators=[MaxValueValidator(15)],
        help_text=_(
            "Un e-mail rappelle chaque mensualité d'un plan d'apurement ce nombre "
            "de jours avant son échéance (0 : aucun rappel)."
        ),
    )
    share_outcomes = models.BooleanField(
        _("partager mes résultats anonymisés"),
        default=False,
        help_text=_(
            "Vos taux de réussite par procédure, agrégés et anonymisés, enrichissent "
            "les estimations de tous les créanciers de l'installation."
        ),
    )
    is_sme = models.BooleanField(
        _("PME"),
        default=True,
        help_text=_(
            "Une PME belge peut faire courir les intérêts dès le lendemain du rappel (art. XIX.3 CDE)."
        ),
    )
    allocation_order = models.CharField(
        _("imputation des paiements"),
        max_length=32,
        choices=AllocationOrder.choices,
        default=AllocationOrder.COSTS_INTEREST_PRINCIPAL,
    )
    contract_rate = models.DecimalField(
        _("taux d'intérêt contractuel (%/an)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Laisser vide pour appliquer le taux légal."),
    )
    penalty_clause_percent = models.DecimalField(
        _("clause pénale (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    penalty_clause_minimum = models.DecimalField(
        _("clause pénale minimum (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    terms_reference = models.CharField(
        _("conditions générales (référence)"), max_length=200, blank=True
    )
    ogm_sequence = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("créancier")
        verbose_name_plural = _("créanciers")
        ordering = ["legal_name"]

    def __str__(self) -> str:
        return self.trade_name or self.legal_name

    @property
    def display_name(self) -> str:
        return str(self)

    def clean(self) -> None:
        """Normalise identifiers; invalid check digits are refused, not stored."""
        _normalise_identifiers(self, country=self.country, required_enterprise=True)
        from claims.ledger.validators import bic_for_iban
        from claims.ledger.validators import normalize_bic
        from claims.ledger.validators import normalize_iban

        errors = {}
        try:
            self.iban = normalize_iban(self.iban)
        except ValidationError as exc:
            errors["iban"] = exc.messages
        try:
            self.bic = normalize_bic(self.bic) or bic_for_iban(self.iban)
        except ValidationError as exc:
            errors["bic"] = exc.messages
        if errors:
            raise ValidationError(errors)


class Membership(models.Model):
    """A user's access to one creditor, with a role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("rôle"), max_length=10, choices=Role.choices, default=Role.AGENT
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When the user last chose this creditor: the next login lands here.
    last_used_at = models.DateTimeField(
        _("dernière utilisation"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "creditor"], name="claims_one_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.creditor} ({self.get_role_display()})"

    @property
    def can_write(self) -> bool:
        return self.role != Role.READONLY

    @property
    def can_manage(self) -> bool:
        return self.role in {Role.OWNER, Role.MANAGER}


class Invitation(models.Model):
    """An invitation to join a creditor, accepted by the invitee through a link.

    Only the SHA-256 of the link's secret is stored; the link is e-mailed once.
    """

    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["creditor", "accepted_at"])]

    def __str__(self) -> str:
        return f"{self.email} → {self.creditor} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class Debtor(Address):
    """A customer of a creditor: a business (with identifiers) or a consumer."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="debtors"
    )
    kind = models.CharField(
        _("type"),
        max_length=10,
        choices=DebtorKind.choices,
        default=DebtorKind.BUSINESS,
    )
    name = models.CharField(_("nom"), max_length=200)
    legal_form = models.CharField(_("forme juridique"), max_length=50, blank=True)
    enterprise_number = models.CharField(
        _("numéro d'entreprise"), max_length=20, blank=True
    )
    vat_number = models.CharField(_("numéro de TVA"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    language = models.CharField(
        _("langue"), max_length=2, choices=Language.choices, default=Language.FR
    )
    customer_number = models.CharField(_("numéro client"), max_length=50, blank=True)
    is_insolvent = models.BooleanField(_("en insolvabilité"), default=False)
    is_deceased = models.BooleanField(_("décédé"), default=False)
    address_unknown = models.BooleanField(_("adresse inconnue"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set once the retention period ran out and personal data were erased.
    anonymised_at = models.DateTimeField(
        _("anonymisé le"), null=True, blank=True, editable=False
    )

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("débiteur")
        verbose_name_plural = _("débiteurs")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["creditor", "name"], name="debtor_creditor_name"),
            models.Index(fields=["creditor", "iban"], name="debtor_creditor_iban"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("claims:debtor_detail", kwargs={"code": self.code})

    def clean(self) -> None:
        """Normalise identifiers and IBAN; a consumer needs no enterprise number."""
        from claims.ledger.validators import normalize_iban

        _normalise_identifiers(self, country=self.country, required_enterprise=False)
        try:
            self.iban = normalize_iban(self.iban)
        except ValidationError as exc:
            raise ValidationError({"iban": exc.messages}) from exc

    @property
    def is_business(self) -> bool:
        return self.kind == DebtorKind.BUSINESS

    @property
    def automation_blocked(self) -> bool:
        """Insolvency, death or an unknown address stop automatic steps."""
        return self.is_insolvent or self.is_deceased or self.address_unknown


class DebtorContact(models.Model):
    """A person to write to at a debtor: the billing contact or a copy."""

    class ContactRole(models.TextChoices):
        BILLING = "billing", _("Facturation")
        CC = "cc", _("Copie")

    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, related_name="contacts"
    )
    role = models.CharField(
        _("rôle"),
        max_length=10,
        choices=ContactRole.choices,
        default=ContactRole.BILLING,
    )
    name = models.CharField(_("nom"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email
