"""Back-office: archived documents (read-only, download), messages, overrides."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from letters.models import Document
from letters.models import OutboundMessage
from letters.models import TemplateOverride
from letters.overrides import override_check


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "creditor", "claim", "channel", "rendered_at")
    list_filter = ("kind", "channel")
    search_fields = ("title", "sha256", "claim__reference")
    readonly_fields = ("download",)
    list_select_related = ("creditor", "claim")

    @admin.display(description="fichier")
    def download(self, obj: Document) -> str:
        url = reverse("letters:document_download", kwargs={"code": obj.code})
        return format_html('<a href="{}">{}</a>', url, obj.sha256)

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields] + ["download"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "creditor", "debtor", "status", "attempts", "created_at")
    list_filter = ("status", "template")
    search_fields = ("subject", "message_id", "to")
    list_select_related = ("creditor", "debtor")

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(TemplateOverride)
class TemplateOverrideAdmin(admin.ModelAdmin):
    list_display = ("template", "language", "creditor", "updated_at")
    list_filter = ("template", "language")

    def save_model(
        self, request: Any, obj: TemplateOverride, form: Any, change: bool
    ) -> None:
        override_check(template=obj.template, body=obj.body)
        super().save_model(request, obj, form, change)

    def get_form(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)

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
