"""Filters of the claims list (django-filter): stage, country, age, amounts…"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.l10n import AmountField
from claims.ledger.selectors import age_bucket_q
from claims.ledger.selectors import exhausted_q
from claims.ledger.selectors import prescription_soon_q
from claims.models import Claim
from claims.models import Country
from claims.models import DebtorKind
from claims.models import Stage

AGE_CHOICES = [
    ("not_due", _("Pas encore échu")),
    ("1_30", _("1 à 30 jours")),
    ("31_60", _("31 à 60 jours")),
    ("61_90", _("61 à 90 jours")),
    ("90_plus", _("Plus de 90 jours")),
]
STATUS_CHOICES = [
    ("open", _("Ouvertes")),
    ("closed", _("Clôturées")),
    ("all", _("Toutes")),
]
ALERT_CHOICES = [
    ("prescription", _("Bientôt prescrites (moins de 90 jours)")),
    ("exhausted", _("Voie amiable épuisée")),
    ("failed", _("Envoi en échec")),
]


class AmountFilter(django_filters.NumberFilter):
    """An amount typed as people type it (``1.000,00``, ``1 000,00``, ``1000.00``)."""

    field_class = AmountField


YES_NO = [("", _("Indifférent")), ("yes", _("Oui")), ("no", _("Non"))]


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Rechercher"), method="search", help_text="")
    status = django_filters.ChoiceFilter(
        label=_("Statut"), choices=STATUS_CHOICES, method="by_status", empty_label=None
    )
    stage = django_filters.ChoiceFilter(label=_("Étape"), choices=Stage.choices)
    country = django_filters.ChoiceFilter(
        label=_("Pays"), field_name="debtor__country", choices=Country.choices
    )
    kind = django_filters.ChoiceFilter(
        label=_("Type de débiteur"),
        field_name="debtor__kind",
        choices=DebtorKind.choices,
    )
    age = django_filters.ChoiceFilter(
        label=_("Retard"), choices=AGE_CHOICES, method="by_age"
    )
    amount_min = AmountFilter(
        label=_("Solde min. (€)"), field_name="balance", lookup_expr="gte"
    )
    amount_max = AmountFilter(
        label=_("Solde max. (€)"), field_name="balance", lookup_expr="lte"
    )
    disputed = django_filters.ChoiceFilter(
        label=_("Contestée"), choices=YES_NO[1:], method="by_disputed"
    )
    paused = django_filters.ChoiceFilter(
        label=_("En pause"), choices=YES_NO[1:], method="by_paused"
    )
    overdue = django_filters.ChoiceFilter(
        label=_("En retard"), choices=YES_NO[1:], method="by_overdue"
    )
    alert = django_filters.ChoiceFilter(
        label=_("À décider"), choices=ALERT_CHOICES, method="by_alert"
    )
    sort = django_filters.OrderingFilter(
        label=_("Trier par"),
        fields=(
            ("oldest_due_date", "due"),
            ("balance", "balance"),
            ("debtor__name", "debtor"),
            ("reference", "reference"),
            ("stage", "stage"),
        ),
        field_labels={
            "due": _("Échéance (la plus ancienne d'abord)"),
            "-due": _("Échéance (la plus récente d'abord)"),
            "balance": _("Solde croissant"),
            "-balance": _("Solde décroissant"),
            "debtor": _("Débiteur A→Z"),
            "-debtor": _("Débiteur Z→A"),
            "reference": _("Référence"),
            "-reference": _("Référence (inverse)"),
            "stage": _("Étape"),
            "-stage": _("Étape (inverse)"),
        },
    )

    class Meta:
        model = Claim
        fields: list[str] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            if getattr(field, "empty_label", None) == "---------":
                field.empty_label = _("Tous")
            if (
                hasattr(field, "choices")
                and field.choices
                and field.choices[0][1] == "---------"
            ):
                field.choices = [("", _("Tous")), *list(field.choices)[1:]]
            small = "form-select form-select-sm"
            if not hasattr(field, "choices"):
                small = "form-control form-control-sm"
            field.widget.attrs.setdefault("class", small)

    @property
    def qs(self) -> QuerySet[Claim]:
        qs = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("sort"):
            qs = qs.order_by("oldest_due_date", "pk")
        return qs

    def filter_queryset(self, queryset: QuerySet[Claim]) -> QuerySet[Claim]:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status="open")
        return super().filter_queryset(queryset)

    def by_alert(self, qs: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        """The claims behind each alert of the dashboard's "À décider"."""
        if value == "prescription":
            return qs.filter(prescription_soon_q(today=timezone.localdate()))
        if value == "exhausted":
            return qs.filter(exhausted_q())
        if value == "failed":
            from django.db.models import Exists
            from django.db.models import OuterRef

            from claims.models import Action

            return qs.filter(
                Exists(
                    Action.objects.filter(
                        claim_id=OuterRef("pk"), state=Action.State.FAILED
                    )
                )
            )
        return qs

    def search(self, qs: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        """Debtor name, claim reference, invoice number, structured communication.

        The communication is matched on its digits too, so « 123/4567/89012 »
        and « 123456789012 » find the same claim.
        """
        value = value.strip()
        if not value:
            return qs
        digits = "".join(ch for ch in value if ch.isdigit())
        q = (
            Q(debtor__name__icontains=value)
            | Q(reference__icontains=value)
            | Q(structured_reference__icontains=value)
            | Q(invoices__number__icontains=value)
        )
        if len(digits) >= 6:
            q |= Q(structured_reference__icontains=_ogm_pattern(digits))
        ids = qs.filter(q).values("pk")
        return qs.filter(pk__in=ids)

    def by_status(self, qs: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        if value in {"open", "closed"}:
            return qs.filter(status=value)
        return qs

    def by_age(self, qs: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        return qs.filter(age_bucket_q(value, today=timezone.localdate()))

    def by_disputed(
        self, qs: QuerySet[Claim], name: str, value: str
    ) -> QuerySet[Claim]:
        q = Q(stage=Stage.DISPUTED)
        return qs.filter(q) if value == "yes" else qs.exclude(q)

    def by_paused(self, qs: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        q = Q(stage=Stage.PAUSED) | Q(paused_until__gt=timezone.localdate())
        return qs.filter(q) if value == "yes" else qs.exclude(q)

    def by_overdue(self, qs: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        q = Q(status="open", oldest_due_date__lt=timezone.localdate())
        return qs.filter(q) if value == "yes" else qs.exclude(q)


def _ogm_pattern(digits: str) -> str:
    """« 123456789012 » → « 123/4567/89012 » (a Belgian OGM's printed form)."""
    if len(digits) == 12:
        return f"{digits[:3]}/{digits[3:7]}/{digits[7:]}"
    return digits
