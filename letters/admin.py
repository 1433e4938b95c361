"""Back-office for archived documents, postal proofs, sent emails and wording
overrides."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from claims.admin.base import ImmutableAdmin
from claims.admin.base import TenantScopedAdmin
from letters.models import Document
from letters.models import OutboundMessage
from letters.models import PostalProof
from letters.models import TemplateOverride
from letters.overrides import override_check


@admin.register(Document)
class DocumentAdmin(ImmutableAdmin):
    """Sent documents are proof: kept byte for byte, never edited nor deleted."""

    list_display = [
        "title",
        "kind",
        "claim",
        "debtor",
        "channel",
        "download",
        "rendered_at",
        "sent_at",
    ]
    list_filter = ["kind", "channel", "language", "creditor"]
    search_fields = ["title", "sha256", "claim__reference", "debtor__name"]
    list_select_related = ["claim", "debtor"]
    readonly_fields = ["download"]
    date_hierarchy = "rendered_at"

    @admin.display(description="fichier (SHA-256)")
    def download(self, obj: Document) -> str:
        url = reverse("letters:document_download", kwargs={"code": obj.code})
        return format_html('<a href="{}">{}…</a>', url, obj.sha256[:16])


@admin.register(PostalProof)
class PostalProofAdmin(ImmutableAdmin):
    """Proofs of posting go into the bailiff's file: viewable, never changed
    nor deleted (recorded by the creditor on the claim's page)."""

    list_display = [
        "receipt_number",
        "posted_on",
        "claim",
        "document",
        "download",
        "created_at",
    ]
    list_filter = ["creditor"]
    search_fields = ["receipt_number", "scan_sha256", "claim__reference"]
    list_select_related = ["claim", "document"]
    readonly_fields = ["download"]
    date_hierarchy = "posted_on"

    @admin.display(description="scan (SHA-256)")
    def download(self, obj: PostalProof) -> str:
        url = reverse("letters:proof_download", kwargs={"code": obj.code})
        return format_html('<a href="{}">{}…</a>', url, obj.scan_sha256[:16])


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
    """Overrides are validated (they render, they keep the mandatory mentions)."""

    list_display = ["template", "language", "creditor", "subject", "updated_at"]
    list_filter = ["template", "language", "creditor"]
    search_fields = ["template", "subject", "body"]
    list_select_related = ["creditor"]

    def get_form(
        self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)

        def clean(this: Any) -> Any:
            data = super(form, this).clean()
            try:
                override_check(
                    template=data.get("template", ""), body=data.get("body", "")
                )
            except ValidationError as exc:
                this.add_error("body", exc)
            return data

        form.clean = clean
        return form
