"""Creditors with their members, debtors with their contacts."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from claims.models import Creditor
from claims.models import Debtor
from claims.models import DebtorContact
from claims.models import Invitation
from claims.models import Membership

from .base import ImmutableAdmin
from .base import ScopedInline
from .base import TenantScopedAdmin
from .base import export_csv


class MembershipInline(ScopedInline):
    model = Membership
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


@admin.register(Creditor)
class CreditorAdmin(TenantScopedAdmin):
    creditor_path = "pk"
    list_display = [
        "legal_name",
        "country",
        "enterprise_number",
        "vat_number",
        "city",
        "email",
        "created_at",
    ]
    list_filter = ["country", "language", "is_sme"]
    search_fields = ["legal_name", "trade_name", "enterprise_number", "vat_number"]
    readonly_fields = ["code", "ogm_sequence", "created_at"]
    inlines = [MembershipInline]
    actions = [export_csv]
    fieldsets = [
        (
            None,
            {"fields": ["code", "legal_name", "trade_name", "legal_form", "country"]},
        ),
        (
            _("Identifiants"),
            {
                "fields": [
                    "enterprise_number",
                    "vat_number",
                    "register_city",
                    "share_capital",
                    "iban",
                    "bic",
                ]
            },
        ),
        (
            _("Coordonnées"),
            {
                "fields": [
                    "address_line1",
                    "address_line2",
                    "postal_code",
                    "city",
                    "email",
                    "reply_to",
                    "phone",
                    "website",
                    "logo",
                ]
            },
        ),
        (
            _("Recouvrement"),
            {
                "fields": [
                    "language",
                    "time_zone",
                    "send_hour",
                    "emails_on_non_working_days",
                    "plan_reminder_days",
                    "is_sme",
                    "allocation_order",
                    "contract_rate",
                    "penalty_clause_percent",
                    "penalty_clause_minimum",
                    "terms_reference",
                    "ogm_sequence",
                    "created_at",
                ]
            },
        ),
    ]


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["user", "creditor", "role", "created_at"]
    list_filter = ["role", "creditor"]
    search_fields = ["user__username", "user__email", "creditor__legal_name"]
    list_select_related = ["user", "creditor"]
    autocomplete_fields = ["user", "creditor"]


@admin.register(Invitation)
class InvitationAdmin(ImmutableAdmin):
    """Invitations are sent from the members page; the link is never stored."""

    list_display = [
        "email",
        "creditor",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
    ]
    list_filter = ["role", "creditor"]
    search_fields = ["email", "creditor__legal_name"]
    list_select_related = ["creditor"]
    exclude = ["token_hash"]


class DebtorContactInline(ScopedInline):
    model = DebtorContact
    fields = ["role", "name", "email", "phone"]


@admin.register(Debtor)
class DebtorAdmin(TenantScopedAdmin):
    list_display = [
        "name",
        "kind",
        "creditor",
        "enterprise_number",
        "vat_number",
        "city",
        "country",
        "language",
        "email",
    ]
    list_filter = [
        "kind",
        "country",
        "language",
        "is_insolvent",
        "address_unknown",
        "creditor",
    ]
    search_fields = [
        "name",
        "enterprise_number",
        "vat_number",
        "email",
        "customer_number",
        "iban",
    ]
    list_select_related = ["creditor"]
    readonly_fields = ["code", "created_at"]
    autocomplete_fields = ["creditor"]
    inlines = [DebtorContactInline]
    actions = [export_csv]


@admin.register(DebtorContact)
class DebtorContactAdmin(TenantScopedAdmin):
    creditor_path = "debtor__creditor_id"
    list_display = ["email", "name", "role", "debtor"]
    list_filter = ["role"]
    search_fields = ["email", "name", "debtor__name"]
    list_select_related = ["debtor"]
    autocomplete_fields = ["debtor"]
