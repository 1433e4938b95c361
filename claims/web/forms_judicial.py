"""Forms of the judicial track (hand-off and steps); services do the rest."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.l10n import AmountField
from claims.models import JudicialCase
from claims.models import JudicialStep
from claims.models import LegalContact

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ZERO = Decimal("0.00")


def _money(label: str) -> AmountField:
    return AmountField(
        label=label,
        min_value=ZERO,
        decimal_places=2,
        max_digits=12,
        localize=True,
        required=False,
    )


class _Dated(forms.Form):
    on = forms.DateField(label=_("Date"), widget=_DATE)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    document = forms.FileField(
        label=_("Document de l'huissier ou du tribunal (PDF, JPEG, PNG)"),
        required=False,
    )

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise ValidationError(_("La date ne peut pas être dans le futur."))
        return on

    def money(self, name: str) -> Decimal:
        return self.cleaned_data.get(name) or ZERO


class HandoffForm(_Dated):
    """Choose the route and the bailiff or lawyer (from the directory or new)."""

    contact = forms.ModelChoiceField(
        label=_("Huissier / avocat de votre annuaire"),
        queryset=LegalContact.objects.none(),
        required=False,
        empty_label=_("— choisir —"),
    )
    new_name = forms.CharField(label=_("ou nouveau : nom"), required=False)
    new_kind = forms.ChoiceField(
        label=_("Qualité"), choices=LegalContact.Kind.choices, required=False
    )
    new_email = forms.EmailField(label=_("E-mail"), required=False)
    new_phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    new_address = forms.CharField(
        label=_("Adresse"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    costs_advanced = _money(_("Provision versée (€)"))

    def __init__(self, *args, creditor_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = LegalContact.objects.for_creditor(creditor_id)

    def clean(self):
        data = super().clean()
        if data.get("contact") and data.get("new_name"):
            raise ValidationError(
                _(
                    "Choisissez un mandataire de l'annuaire ou créez-en un, pas les deux."
                )
            )
        if data.get("new_name") and not data.get("new_kind"):
            self.add_error("new_kind", _("Huissier ou avocat ?"))
        return data


class StepForm(_Dated):
    """One step of the track after the hand-off."""

    kind = forms.ChoiceField(
        label=_("Étape"),
        choices=[
            c for c in JudicialStep.Kind.choices if c[0] != JudicialStep.Kind.HANDOFF
        ],
    )
    costs_advanced = _money(_("Frais avancés (€)"))
    costs_awarded = _money(_("Frais mis à charge du débiteur par le titre (€)"))
    amount_collected = _money(_("Montant encaissé (€)"))
    costs_recovered = _money(_("dont frais récupérés sur le débiteur (€)"))
    deadline = forms.DateField(
        label=_("Autre échéance (audience…)"), widget=_DATE, required=False
    )
    deadline_label = forms.CharField(
        label=_("Objet de l'échéance"), max_length=300, required=False
    )
    outcome = forms.ChoiceField(
        label=_("Issue (à la clôture)"),
        choices=[("", "—")]
        + [c for c in JudicialCase.Outcome.choices if c[0] != "pending"],
        required=False,
    )

    def clean(self):
        data = super().clean()
        if self.money("costs_recovered") > self.money("amount_collected"):
            self.add_error(
                "costs_recovered",
                _("Les frais récupérés font partie du montant encaissé."),
            )
        if data.get("deadline") and not data.get("deadline_label"):
            self.add_error("deadline_label", _("Précisez l'objet de l'échéance."))
        return data
