"""The public interest calculator form: validates and converts to keyword args."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.law.types import PaymentFacts

PAYMENT_SLOTS = 3


class CalculatorForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Droit applicable"),
        choices=[("BE", _("Belgique")), ("FR", _("France"))],
    )
    debtor_kind = forms.ChoiceField(
        label=_("Votre client est"),
        choices=[
            ("business", _("une entreprise (B2B)")),
            ("consumer", _("un consommateur (B2C)")),
        ],
    )
    amount = forms.DecimalField(
        label=_("Montant de la facture TVAC (EUR)"),
        min_value=Decimal("0.01"),
        max_value=Decimal("9999999999.99"),
        decimal_places=2,
    )
    due = forms.DateField(
        label=_("Échéance"), widget=forms.DateInput(attrs={"type": "date"})
    )
    at = forms.DateField(
        label=_("Calculer au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Vide = aujourd'hui."),
    )
    contract_rate = forms.DecimalField(
        label=_("Taux contractuel (%/an, facultatif)"),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=3,
    )
    reminder_on = forms.DateField(
        label=_("Premier rappel envoyé le (Belgique, consommateur)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reminder_channel = forms.ChoiceField(
        label=_("Premier rappel envoyé par"),
        choices=[("email", _("e-mail")), ("post", _("courrier"))],
        required=False,
    )
    formal_notice_on = forms.DateField(
        label=_("Mise en demeure envoyée le (France, consommateur)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, PAYMENT_SLOTS + 1):
            self.fields[f"payment_{n}_on"] = forms.DateField(
                label=_("Paiement partiel %(n)s : date") % {"n": n},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields[f"payment_{n}_amount"] = forms.DecimalField(
                label=_("Paiement partiel %(n)s : montant") % {"n": n},
                required=False,
                min_value=Decimal("0.01"),
                decimal_places=2,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        at = data.get("at") or timezone.localdate()
        data["at"] = at
        due = data.get("due")
        if due and due > at:
            self.add_error("at", _("La date de calcul doit suivre l'échéance."))
        for n in range(1, PAYMENT_SLOTS + 1):
            on, amount = data.get(f"payment_{n}_on"), data.get(f"payment_{n}_amount")
            if bool(on) != bool(amount):
                self.add_error(
                    f"payment_{n}_amount", _("Indiquez la date et le montant.")
                )
        return data

    def calculation_kwargs(self) -> dict[str, Any]:
        """Arguments for ``claims.calculator.calculate`` (call after is_valid)."""
        d = self.cleaned_data
        payments = tuple(
            PaymentFacts(on=d[f"payment_{n}_on"], amount=d[f"payment_{n}_amount"])
            for n in range(1, PAYMENT_SLOTS + 1)
            if d.get(f"payment_{n}_on") and d.get(f"payment_{n}_amount")
        )
        at: date = d["at"]
        return {
            "country": d["country"],
            "debtor_kind": d["debtor_kind"],
            "amount": d["amount"],
            "due": d["due"],
            "at": at,
            "payments": payments,
            "contract_rate": d.get("contract_rate"),
            "reminder_on": d.get("reminder_on"),
            "reminder_channel": d.get("reminder_channel") or "email",
            "formal_notice_on": d.get("formal_notice_on"),
        }
