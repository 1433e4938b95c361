"""The public interest calculator form: validates and converts to keyword args."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.l10n import AmountField
from claims.law.types import PaymentFacts
from claims.ledger.calculator import input_problems

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
    amount = AmountField(
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
    contract_rate = AmountField(
        label=_("Clause d'intérêts : taux convenu (%/an, facultatif)"),
        help_text=_("Vide = aucune clause d'intérêts dans vos conditions."),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=3,
    )
    penalty_percent = AmountField(
        label=_("Clause pénale : pourcentage (facultatif)"),
        help_text=_("Vide = aucune clause pénale dans vos conditions."),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
    )
    penalty_minimum = AmountField(
        label=_("Clause pénale : minimum (EUR, facultatif)"),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("9999999.99"),
        decimal_places=2,
    )
    reminder_on = forms.DateField(
        label=_("Premier rappel envoyé le (facultatif)"),
        help_text=_(
            "Vide = aucun rappel envoyé : un consommateur belge ne doit alors ni "
            "intérêts ni indemnité (art. XIX.2 CDE)."
        ),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reminder_channel = forms.ChoiceField(
        label=_("Premier rappel envoyé par"),
        choices=[
            ("email", _("e-mail")),
            ("post", _("courrier")),
            ("registered", _("recommandé")),
        ],
        required=False,
    )
    formal_notice_on = forms.DateField(
        label=_("Mise en demeure envoyée le (facultatif)"),
        help_text=_(
            "Vide = aucune mise en demeure : un consommateur français ne doit alors "
            "pas d'intérêts (art. 1344-1 et 1231-6 C. civ.)."
        ),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    supply = forms.ChoiceField(
        label=_("Vous avez fourni"),
        choices=[("services", _("des services")), ("goods", _("des biens"))],
        required=False,
    )
    delivery_on = forms.DateField(
        label=_("Date de livraison ou de fin des travaux (facultatif)"),
        help_text=_("Point de départ de la prescription pour un consommateur."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    is_sme = forms.BooleanField(
        label=_("Votre entreprise est une PME"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, PAYMENT_SLOTS + 1):
            self.fields[f"payment_{n}_on"] = forms.DateField(
                label=_("Paiement partiel %(n)s : date") % {"n": n},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields[f"payment_{n}_amount"] = AmountField(
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
        if due:
            for name, message in input_problems(
                due=due,
                at=at,
                reminder_on=data.get("reminder_on"),
                formal_notice_on=data.get("formal_notice_on"),
                delivery_on=data.get("delivery_on"),
            ):
                self.add_error(name, message)
        for n in range(1, PAYMENT_SLOTS + 1):
            on, amount = data.get(f"payment_{n}_on"), data.get(f"payment_{n}_amount")
            if bool(on) != bool(amount):
                self.add_error(
                    f"payment_{n}_amount", _("Indiquez la date et le montant.")
                )
        return data

    def calculation_kwargs(self) -> dict[str, Any]:
        """Arguments for ``claims.ledger.calculator.calculate`` (call after is_valid)."""
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
            "penalty_percent": d.get("penalty_percent"),
            "penalty_minimum": d.get("penalty_minimum"),
            "delivery_on": d.get("delivery_on"),
            "supply": d.get("supply") or "services",
            "is_sme": bool(d.get("is_sme")),
        }
