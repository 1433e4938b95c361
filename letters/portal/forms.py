"""Debtor and creditor forms: validate and convert, nothing more."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from claims.l10n import AmountField
from claims.law.plans import MAX_INSTALMENTS
from claims.models import Claim
from letters.portal.uploads import validate_upload

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}


class _Styled(forms.Form):
    """Bootstrap classes on every widget (the portal has no crispy layout).

    The claim page shows several answer forms at once: each form's field ids
    carry its own prefix (``id_paidform_amount``), so no id is used twice.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select"
                if isinstance(field, forms.ChoiceField)
                else "form-control"
            )
            field.widget.attrs.setdefault("class", css)


class ShortCodeForm(_Styled):
    code = forms.CharField(label=_("Code d'accès (sur la lettre)"), max_length=20)
    proof = forms.CharField(
        label=_("Votre code postal ou un numéro de facture"), max_length=50
    )


class PaidForm(_Styled):
    paid_on = forms.DateField(label=_("Date du paiement"), widget=_DATE)
    amount = AmountField(label=_("Montant payé"), **_MONEY)
    proof = forms.FileField(
        label=_("Preuve de paiement (PDF, PNG ou JPEG, 5 Mo max.)"),
        required=False,
        validators=[validate_upload],
    )


class DisputeForm(_Styled):
    invoice = forms.ChoiceField(label=_("Ce que vous contestez"), required=False)
    amount = AmountField(
        label=_("Montant contesté (facultatif)"), required=False, **_MONEY
    )
    reason = forms.CharField(
        label=_("Motif"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachment = forms.FileField(
        label=_("Pièce jointe (PDF, PNG ou JPEG, 5 Mo max.)"),
        required=False,
        validators=[validate_upload],
    )

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._invoices = {str(i.code): i for i in claim.invoices.all()}
        self.fields["invoice"].choices = [("", _("Toute la créance"))] + [
            (code, _("Facture %(n)s") % {"n": inv.number})
            for code, inv in self._invoices.items()
        ]

    def clean_invoice(self) -> int | None:
        code = self.cleaned_data.get("invoice")
        return self._invoices[code].pk if code else None


class PlanForm(_Styled):
    count = forms.IntegerField(
        label=_("Nombre de mensualités"), min_value=2, max_value=MAX_INSTALMENTS
    )
    first_on = forms.DateField(label=_("Date de la première mensualité"), widget=_DATE)
    note = forms.CharField(
        label=_("Message (facultatif)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DisputeAnswerForm(_Styled):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            ("accepted", _("Accepter")),
            ("rejected", _("Rejeter (avec explication)")),
            ("credited", _("Émettre une note de crédit")),
        ],
    )
    answer = forms.CharField(
        label=_("Réponse au débiteur"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    credit_amount = AmountField(
        label=_("Montant de la note de crédit"), required=False, **_MONEY
    )


class PlanAnswerForm(_Styled):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            ("accept", _("Accepter")),
            ("decline", _("Refuser")),
            ("counter", _("Contre-proposer")),
        ],
    )
    note = forms.CharField(
        label=_("Message au débiteur"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    count = forms.IntegerField(
        label=_("Mensualités (contre-proposition)"),
        required=False,
        min_value=2,
        max_value=MAX_INSTALMENTS,
    )
    first_on = forms.DateField(
        label=_("Première échéance (contre-proposition)"), required=False, widget=_DATE
    )
