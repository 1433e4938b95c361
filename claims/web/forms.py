"""Forms of the browser pages: they validate and convert, services do the rest."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.l10n import AmountField
from claims.ledger import rules
from claims.models import ClosedReason
from claims.models import Creditor
from claims.models import Debtor
from claims.models import PaymentMethod
from claims.models import Role

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PaymentForm(forms.Form):
    amount = AmountField(
        label=_("Montant reçu (€)"),
        min_value=Decimal("0.01"),
        decimal_places=2,
        localize=True,
    )
    on = forms.DateField(label=_("Date de valeur"), widget=_DATE)
    method = forms.ChoiceField(label=_("Mode"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Référence"), max_length=140, required=False)

    def clean_amount(self):
        return rules.money_amount(self.cleaned_data["amount"])

    def clean_on(self):
        # The claim's own rule (not before its first invoice) is the service's;
        # the view shows its refusal on this field too.
        on = self.cleaned_data["on"]
        try:
            rules.payment_date(
                on=on, today=timezone.localdate(), first_invoice_date=None
            )
        except ValidationError as exc:
            raise rules.plain(exc) from None
        return on


class NoteForm(forms.Form):
    message = forms.CharField(
        label=_("Note"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class PauseForm(forms.Form):
    until = forms.DateField(label=_("Pas de relance jusqu'au"), widget=_DATE)
    reason = forms.CharField(
        label=_("Motif (promesse de paiement…)"), max_length=200, required=False
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise ValidationError(_("Choisissez une date dans le futur."))
        return until


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=500, required=False)


class DisputeReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Ce que le débiteur conteste"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DisputeResolveForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            ("rejected", _("Contestation rejetée : les relances reprennent")),
            ("accepted", _("Contestation acceptée")),
            ("credited", _("Note de crédit émise")),
        ],
    )
    reason = forms.CharField(
        label=_("Réponse au débiteur"), max_length=500, required=False
    )


class CloseForm(forms.Form):
    closed_reason = forms.ChoiceField(
        label=_("Pourquoi ?"), choices=ClosedReason.choices
    )
    reason = forms.CharField(label=_("Note"), max_length=500, required=False)


class DebtorForm(forms.ModelForm):
    class Meta:
        model = Debtor
        fields = [
            "kind",
            "name",
            "legal_form",
            "enterprise_number",
            "vat_number",
            "email",
            "phone",
            "iban",
            "language",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "country",
            "customer_number",
        ]
        widgets = {
            "country": forms.Select(choices=Creditor._meta.get_field("country").choices)
        }

    def clean_iban(self) -> str:
        """Checked here too, so the IBAN message shows next to the identifier one."""
        from claims.ledger.validators import normalize_iban

        return normalize_iban(self.cleaned_data.get("iban", ""))


class ClaimForm(forms.Form):
    debtor = forms.ModelChoiceField(
        label=_("Débiteur"),
        queryset=Debtor.objects.none(),
        empty_label=_("— choisir —"),
    )
    reference = forms.CharField(
        label=_("Votre référence (facultatif)"), max_length=40, required=False
    )
    has_debtor_writing = forms.BooleanField(
        label=_("Le débiteur a signé un bon de commande ou accepté un devis"),
        required=False,
    )

    def __init__(self, *args, creditor_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["debtor"].queryset = Debtor.objects.for_creditor(creditor_id)


class InvoiceForm(forms.Form):
    number = forms.CharField(label=_("N° de facture"), max_length=50)
    issue_date = forms.DateField(label=_("Date de facture"), widget=_DATE)
    due_date = forms.DateField(label=_("Échéance"), widget=_DATE)
    amount = AmountField(
        label=_("Montant TVAC (€)"),
        min_value=Decimal("0.01"),
        decimal_places=2,
        localize=True,
    )
    description = forms.CharField(label=_("Objet"), max_length=300, required=False)

    def clean_amount(self):
        return rules.money_amount(self.cleaned_data["amount"])

    def clean(self):
        data = super().clean()
        issue, due = data.get("issue_date"), data.get("due_date")
        if issue and due:
            try:
                rules.invoice_dates(
                    issue_date=issue, due_date=due, today=timezone.localdate()
                )
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    for error in errors:
                        self.add_error(field, error)
        return data


class ReversalForm(forms.Form):
    """Why an entry is cancelled: always said, kept in the ledger and timeline."""

    reason = forms.CharField(
        label=_("Motif de l'annulation"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_reason(self):
        return rules.reason_required(self.cleaned_data["reason"])


InvoiceFormSet = formset_factory(InvoiceForm, extra=1, min_num=1, validate_min=True)


class CreditorSettingsForm(forms.ModelForm):
    class Meta:
        model = Creditor
        fields = [
            "legal_name",
            "trade_name",
            "legal_form",
            "enterprise_number",
            "vat_number",
            "register_city",
            "share_capital",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "iban",
            "bic",
            "email",
            "reply_to",
            "phone",
            "website",
            "logo",
            "language",
            "send_hour",
            "emails_on_non_working_days",
            "plan_reminder_days",
            "time_zone",
            "share_outcomes",
        ]


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("E-mail de la personne"))
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)


class SwitchForm(forms.Form):
    creditor = forms.IntegerField(widget=forms.HiddenInput)
