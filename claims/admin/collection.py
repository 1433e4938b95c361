"""Scenarios and steps, planned actions, disputes, plans and the judicial path."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.db.models import Q
from django.db.models import QuerySet
from django.http import HttpRequest

from claims.models import Action
from claims.models import Dispute
from claims.models import Instalment
from claims.models import JudicialCase
from claims.models import JudicialStep
from claims.models import LegalContact
from claims.models import PaymentPlan
from claims.models import PortalToken
from claims.models import RouteCost
from claims.models import Scenario
from claims.models import ScenarioStep
from claims.models import SendJournal

from .base import ImmutableAdmin
from .base import ScopedInline
from .base import TenantScopedAdmin
from .base import export_csv
from .base import member_creditor_ids


class ScenarioStepInline(ScopedInline):
    model = ScenarioStep
    fields = [
        "position",
        "kind",
        "offset_days",
        "anchor",
        "channel",
        "template",
        "claims_interest",
        "claims_fees",
        "fee",
        "deadline_days",
    ]
    show_change_link = True


@admin.register(Scenario)
class ScenarioAdmin(TenantScopedAdmin):
    list_display = ["name", "creditor", "country", "debtor_kind", "is_active"]
    list_filter = ["country", "debtor_kind", "is_active", "creditor"]
    search_fields = ["name"]
    list_select_related = ["creditor"]
    readonly_fields = ["code", "created_at"]
    inlines = [ScenarioStepInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Shipped defaults (no creditor) are visible to every staff member.
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        ids = member_creditor_ids(request)
        return qs.filter(Q(creditor_id__in=ids) | Q(creditor__isnull=True))


@admin.register(ScenarioStep)
class ScenarioStepAdmin(TenantScopedAdmin):
    creditor_path = "scenario__creditor_id"
    list_display = ["scenario", "position", "kind", "offset_days", "channel", "fee"]
    list_filter = ["kind", "channel"]
    search_fields = ["scenario__name", "template"]
    list_select_related = ["scenario"]


@admin.register(Action)
class ActionAdmin(TenantScopedAdmin):
    list_display = ["claim", "step", "due_on", "state", "attempts", "done_at"]
    list_filter = ["state", "creditor", "step__kind"]
    search_fields = ["claim__reference", "reason"]
    list_select_related = ["claim__debtor", "step"]
    raw_id_fields = ["claim", "debtor", "step"]
    readonly_fields = ["code", "created_at", "started_at", "done_at"]
    date_hierarchy = "due_on"
    actions = [export_csv]


@admin.register(Dispute)
class DisputeAdmin(TenantScopedAdmin):
    list_display = ["claim", "status", "amount", "source", "opened_at", "resolved_at"]
    list_filter = ["status", "source", "creditor"]
    search_fields = ["claim__reference", "reason"]
    list_select_related = ["claim__debtor"]
    raw_id_fields = ["claim", "invoice"]
    readonly_fields = ["code"]


class InstalmentInline(ScopedInline):
    model = Instalment
    fields = ["due_on", "amount", "paid"]
    show_change_link = False


@admin.register(PaymentPlan)
class PaymentPlanAdmin(TenantScopedAdmin):
    list_display = ["claim", "status", "requested_by_debtor", "created_at"]
    list_filter = ["status", "creditor"]
    search_fields = ["claim__reference"]
    list_select_related = ["claim__debtor"]
    raw_id_fields = ["claim"]
    readonly_fields = ["code", "created_at"]
    inlines = [InstalmentInline]


@admin.register(Instalment)
class InstalmentAdmin(TenantScopedAdmin):
    creditor_path = "plan__creditor_id"
    list_display = ["plan", "due_on", "amount", "paid"]
    list_select_related = ["plan__claim"]
    raw_id_fields = ["plan"]


@admin.register(JudicialCase)
class JudicialCaseAdmin(TenantScopedAdmin):
    list_display = [
        "claim",
        "route",
        "handler_name",
        "handed_off_on",
        "outcome",
        "amount_recovered",
    ]
    list_filter = ["route", "outcome", "creditor"]
    search_fields = ["claim__reference", "handler_name"]
    list_select_related = ["claim"]
    raw_id_fields = ["claim"]
    actions = [export_csv]


@admin.register(JudicialStep)
class JudicialStepAdmin(TenantScopedAdmin):
    """Read-mostly: steps are recorded from the claim workspace (append-only)."""

    list_display = ["case", "kind", "on", "deadline", "amount_collected"]
    list_filter = ["kind", "creditor"]
    search_fields = ["case__claim__reference", "document_sha256"]
    list_select_related = ["case", "case__claim"]
    raw_id_fields = ["case"]
    readonly_fields = ["document_sha256", "created_at"]


@admin.register(LegalContact)
class LegalContactAdmin(TenantScopedAdmin):
    list_display = ["name", "kind", "email", "phone"]
    list_filter = ["kind", "creditor"]
    search_fields = ["name", "email"]


@admin.register(RouteCost)
class RouteCostAdmin(admin.ModelAdmin):
    """Installation-wide cost table of the route advisor (no tenant)."""

    list_display = ["route", "label", "amount", "recoverable", "source"]
    list_filter = ["route", "recoverable"]
    search_fields = ["route", "label"]


@admin.register(PortalToken)
class PortalTokenAdmin(TenantScopedAdmin):
    list_display = ["debtor", "claim", "short_code", "expires_at", "revoked_at"]
    search_fields = ["short_code", "debtor__name"]
    list_select_related = ["debtor", "claim"]
    raw_id_fields = ["debtor", "claim"]
    readonly_fields = ["token_hash", "created_at", "last_used_at"]


@admin.register(SendJournal)
class SendJournalAdmin(ImmutableAdmin):
    """The server's answers of the batches in flight (kept until each batch is
    marked done): what recovery reads after a worker died mid-send. No
    creditor on these rows, so superusers only; never edited."""

    list_display = ["at", "batch", "position", "message_id", "answer"]
    list_filter = ["answer"]
    search_fields = ["message_id"]

    def has_view_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return request.user.is_superuser

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser
