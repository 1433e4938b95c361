"""Claims and their ledger: invoices, payments (append-only), waivers, events."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from claims.engine.collection import claim_transition
from claims.ledger import rules as ledger_rules
from claims.ledger import services
from claims.models import Claim
from claims.models import CreditorFigures
from claims.models import Event
from claims.models import FiguresChange
from claims.models import Invoice
from claims.models import InvoiceKind
from claims.models import Payment
from claims.models import PaymentMethod
from claims.models import Stage
from claims.models import Waiver

from .base import ImmutableAdmin
from .base import ReadOnlyInline
from .base import TenantScopedAdmin
from .base import export_csv


class InvoiceInline(ReadOnlyInline):
    model = Invoice
    fields = ["number", "kind", "issue_date", "due_date", "amount", "currency"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fk_name = "claim"
    fields = ["date", "amount", "currency", "method", "reference", "created_by"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = Event
    fields = ["at", "kind", "actor_label", "message"]
    readonly_fields = fields
    show_change_link = False
    max_num = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).order_by("-at", "-pk")


_PAUSABLE = [Stage.AMICABLE, Stage.FORMAL_NOTICE, Stage.JUDICIAL, Stage.PAYMENT_PLAN]


@admin.action(description=_("Mettre en pause les créances sélectionnées"))
def pause_claims(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> None:
    """Pause open claims; automatic steps stop until they are resumed."""
    today = timezone.localdate()
    count = 0
    with transaction.atomic():
        for claim in queryset.select_for_update().filter(
            status=Claim.Status.OPEN, stage__in=_PAUSABLE
        ):
            claim_transition(  # the one state machine
                claim_id=claim.pk,
                to=Stage.PAUSED,
                actor=request.user,
                reason="Créance mise en pause depuis l'administration",
                expected_stage=claim.stage,
                today=today,
            )
            count += 1
    modeladmin.message_user(
        request,
        ngettext("%d créance mise en pause.", "%d créances mises en pause.", count)
        % count,
        messages.SUCCESS,
    )


@admin.action(description=_("Reprendre les créances en pause"))
def resume_claims(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> None:
    """Resume paused claims at the stage they were paused in."""
    today = timezone.localdate()
    count = 0
    with transaction.atomic():
        for claim in queryset.select_for_update().filter(
            status=Claim.Status.OPEN, stage=Stage.PAUSED
        ):
            claim_transition(  # the one state machine
                claim_id=claim.pk,
                to=claim.resume_stage or Stage.AMICABLE,
                actor=request.user,
                reason="Créance reprise depuis l'administration",
                expected_stage=Stage.PAUSED,
                today=today,
            )
            count += 1
    modeladmin.message_user(
        request,
        ngettext("%d créance reprise.", "%d créances reprises.", count) % count,
        messages.SUCCESS,
    )


@admin.register(Claim)
class ClaimAdmin(TenantScopedAdmin):
    list_display = [
        "reference",
        "debtor",
        "creditor",
        "stage",
        "status",
        "principal",
        "paid",
        "balance",
        "currency",
        "oldest_due_date",
        "next_action_on",
    ]
    list_filter = ["status", "stage", "creditor", "debtor__kind", "closed_reason"]
    search_fields = [
        "reference",
        "structured_reference",
        "debtor__name",
        "debtor__enterprise_number",
    ]
    list_select_related = ["debtor", "creditor"]
    date_hierarchy = "oldest_due_date"
    autocomplete_fields = ["creditor", "debtor"]
    readonly_fields = [
        "code",
        "principal",
        "paid",
        "balance",
        "due_principal",
        "due_interest",
        "due_costs",
        "figures_at",
        "oldest_due_date",
        "created_at",
        "updated_at",
    ]
    inlines = [InvoiceInline, PaymentInline, EventInline]
    actions = [pause_claims, resume_claims, export_csv]

    def save_related(
        self, request: Any, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        # Terms, dates or inlines may change the statement: store it again.
        from claims.ledger.services import claim_refresh_totals

        claim_refresh_totals(claim=form.instance)


class InvoiceAdminForm(forms.ModelForm):
    """An invoice or credit note typed in the admin follows the ledger rules."""

    class Meta:
        model = Invoice
        fields = [
            "creditor",
            "claim",
            "kind",
            "number",
            "issue_date",
            "due_date",
            "delivery_date",
            "amount",
            "vat_amount",
            "currency",
            "description",
            "credited_invoice",
            "source",
            "attachment",
        ]

    def clean(self) -> Any:
        data = super().clean()
        claim = data.get("claim")
        issue, due = data.get("issue_date"), data.get("due_date")
        try:
            if data.get("amount") is not None:
                data["amount"] = ledger_rules.money_amount(data["amount"])
        except forms.ValidationError as exc:
            self.add_error("amount", exc)
        if issue and due:
            try:
                ledger_rules.invoice_dates(
                    issue_date=issue,
                    due_date=due,
                    today=ledger_rules.creditor_today(data.get("creditor")),
                )
            except forms.ValidationError as exc:
                self.add_error(None, exc)
        if (
            claim is not None
            and self.instance.pk is None
            and data.get("kind") == InvoiceKind.CREDIT_NOTE
            and "amount" not in self.errors
        ):
            credited = data.get("credited_invoice")
            try:
                if credited is not None:
                    ledger_rules.credit_note_amount(
                        amount=data["amount"],
                        remaining=services.remaining_invoiced(
                            claim=claim, invoice=credited
                        ),
                        on_invoice=credited.number,
                    )
                ledger_rules.credit_note_amount(
                    amount=data["amount"],
                    remaining=services.remaining_invoiced(claim=claim),
                )
            except forms.ValidationError as exc:
                self.add_error(None, exc)
        return data


@admin.register(Invoice)
class InvoiceAdmin(TenantScopedAdmin):
    list_display = [
        "number",
        "kind",
        "claim",
        "creditor",
        "issue_date",
        "due_date",
        "amount",
        "vat_amount",
        "currency",
    ]
    list_filter = ["kind", "creditor", "source"]
    search_fields = ["number", "claim__reference", "claim__debtor__name"]
    list_select_related = ["claim__debtor", "creditor"]
    date_hierarchy = "due_date"
    autocomplete_fields = ["claim", "creditor", "credited_invoice"]
    readonly_fields = ["code", "created_at", "reverses"]
    form = InvoiceAdminForm
    actions = [export_csv]


class PaymentAddForm(forms.ModelForm):
    """Records a payment through ``claims.ledger.services.payment_record``."""

    class Meta:
        model = Payment
        fields = ["claim", "amount", "date", "method", "reference", "payer_iban"]

    def clean_amount(self) -> Any:
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(
                _("Le montant d'un paiement doit être positif.")
            )
        return amount

    def clean(self) -> Any:
        """The ledger rules (claims.ledger.rules) on their fields, not a 500."""
        data = super().clean()
        claim, amount, on = data.get("claim"), data.get("amount"), data.get("date")
        if claim is not None and amount is not None and on is not None:
            try:
                data["amount"] = services.payment_check(
                    claim=claim, amount=amount, on=on, field_on="date"
                )
            except forms.ValidationError as exc:
                self.add_error(None, exc)
        return data


@admin.register(Payment)
class PaymentAdmin(TenantScopedAdmin):
    """Payments are append-only: added through the service, never changed."""

    form = PaymentAddForm
    list_display = [
        "date",
        "amount",
        "currency",
        "method",
        "claim",
        "creditor",
        "reference",
        "created_by",
    ]
    list_filter = ["method", "creditor"]
    search_fields = ["claim__reference", "reference", "payer_iban"]
    list_select_related = ["claim__debtor", "creditor", "created_by"]
    date_hierarchy = "date"
    autocomplete_fields = ["claim"]
    actions = [export_csv]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = PaymentAddForm
        return super().get_form(request, obj, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Payment, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        payment = services.payment_record(
            claim=data["claim"],
            amount=data["amount"],
            on=data["date"],
            method=data["method"] or PaymentMethod.TRANSFER,
            reference=data.get("reference", ""),
            payer_iban=data.get("payer_iban", ""),
            actor=request.user,
        )
        # The admin logs and redirects with ``obj``: point it at the saved row.
        obj.pk, obj.code, obj.creditor_id = (
            payment.pk,
            payment.code,
            payment.creditor_id,
        )
        obj._state.adding = False


@admin.register(Waiver)
class WaiverAdmin(ImmutableAdmin):
    list_display = ["claim", "kind", "amount", "reason", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["claim__reference", "reason"]
    list_select_related = ["claim", "created_by"]


@admin.register(Event)
class EventAdmin(ImmutableAdmin):
    list_display = ["at", "kind", "claim", "actor_label", "message"]
    list_filter = ["kind", "creditor"]
    search_fields = ["claim__reference", "message", "actor_label"]
    list_select_related = ["claim"]
    date_hierarchy = "at"


@admin.register(CreditorFigures)
class CreditorFiguresAdmin(ImmutableAdmin):
    """The dashboard's stored figures per creditor (kept by the database's
    triggers, recomputed at the first read after a change): to check what
    the dashboard reads, never to edit it."""

    list_display = ["creditor", "as_of", "computed_at"]
    list_select_related = ["creditor"]
    readonly_fields = ["creditor", "as_of", "figures", "computed_at"]


@admin.register(FiguresChange)
class FiguresChangeAdmin(ImmutableAdmin):
    """Creditors whose claims changed since their figures were stored."""

    list_display = ["creditor_id"]
