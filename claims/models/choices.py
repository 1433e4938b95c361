"""Enumerations shared by the claims models, the law package and the UI."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Country(models.TextChoices):
    BE = "BE", _("Belgique")
    FR = "FR", _("France")


class Language(models.TextChoices):
    FR = "fr", _("Français")
    NL = "nl", _("Nederlands")
    EN = "en", _("English")
    DE = "de", _("Deutsch")


class DebtorKind(models.TextChoices):
    BUSINESS = "business", _("Entreprise")
    CONSUMER = "consumer", _("Consommateur")


class Role(models.TextChoices):
    OWNER = "owner", _("Propriétaire")
    MANAGER = "manager", _("Gestionnaire")
    AGENT = "agent", _("Agent")
    READONLY = "readonly", _("Lecture seule")


class Stage(models.TextChoices):
    """Where a claim stands. Transitions are in ``claims.engine.stages`` (one table)."""

    AMICABLE = "amicable", _("Relances amiables")
    FORMAL_NOTICE = "formal_notice", _("Mise en demeure")
    JUDICIAL = "judicial", _("Judiciaire")
    PAYMENT_PLAN = "payment_plan", _("Plan d'apurement")
    DISPUTED = "disputed", _("Contestée")
    PAUSED = "paused", _("En pause")
    CLOSED = "closed", _("Clôturée")


class ClosedReason(models.TextChoices):
    PAID = "paid", _("Payée")
    SETTLED = "settled", _("Transigée")
    WRITTEN_OFF = "written_off", _("Passée en perte")
    CANCELLED = "cancelled", _("Annulée")


class AllocationOrder(models.TextChoices):
    """How a payment is applied (art. 1254 old C. civ. / art. 5.207 C. civ. BE:
    costs, then interest, then principal unless the creditor agrees otherwise)."""

    COSTS_INTEREST_PRINCIPAL = (
        "costs_interest_principal",
        _("Frais, intérêts, puis principal"),
    )
    PRINCIPAL_FIRST = "principal_first", _("Principal d'abord")


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Virement")
    DIRECT_DEBIT = "direct_debit", _("Domiciliation")
    CARD = "card", _("Carte")
    CASH = "cash", _("Espèces")
    CHEQUE = "cheque", _("Chèque")
    OTHER = "other", _("Autre")


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Facture")
    CREDIT_NOTE = "credit_note", _("Note de crédit")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    POST = "post", _("Courrier")
    EMAIL_POST = "email_post", _("E-mail et courrier")
    REGISTERED = "registered", _("Recommandé")
    CALL = "call", _("Appel téléphonique")
    ESCALATE = "escalate", _("Escalade")
