"""Back-office for archived documents, sent emails and wording overrides."""

from __future__ import annotations

from django.contrib import admin

from claims.admin.base import ImmutableAdmin
from claims.admin.base import TenantScopedAdmin
from letters.models import Document
from letters.models import OutboundMessage
from letters.models import TemplateOverride


@admin.register(Document)
class DocumentAdmin(ImmutableAdmin):
    """Sent documents are proof: kept byte for byte, never edited nor deleted."""

    list_display = [
        "title",
        "kind",
        "claim",
        "debtor",
        "channel",
        "sha256",
        "rendered_at",
        "sent_at",
    ]
    list_filter = ["kind", "channel", "language", "creditor"]
    search_fields = ["title", "sha256", "claim__reference", "debtor__name"]
    list_select_related = ["claim", "debtor"]
    date_hierarchy = "rendered_at"


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ImmutableAdmin):
    list_display = [
        "subject",
        "debtor",
        "template",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "template", "creditor"]
    search_fields = ["subject", "message_id", "debtor__name"]
    list_select_related = ["debtor"]
    date_hierarchy = "created_at"


@admin.register(TemplateOverride)
class TemplateOverrideAdmin(TenantScopedAdmin):
    list_display = ["template", "language", "creditor", "subject", "updated_at"]
    list_filter = ["template", "language", "creditor"]
    search_fields = ["template", "subject", "body"]
    list_select_related = ["creditor"]
