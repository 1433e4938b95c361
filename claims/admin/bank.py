"""Imported bank statements and their lines; background imports."""

from __future__ import annotations

from django.contrib import admin

from claims.models import BankImport
from claims.models import BankLine
from claims.models import ImportJob
from claims.models import ImportMapping

from .base import ImmutableAdmin
from .base import ReadOnlyInline
from .base import TenantScopedAdmin
from .base import export_csv


class BankLineInline(ReadOnlyInline):
    model = BankLine
    fields = ["booking_date", "amount", "counterparty_name", "status", "claim"]
    readonly_fields = fields


@admin.register(BankImport)
class BankImportAdmin(ImmutableAdmin):
    list_display = [
        "filename",
        "creditor",
        "format",
        "lines_total",
        "lines_matched",
        "lines_duplicate",
        "imported_at",
    ]
    list_filter = ["format", "creditor"]
    search_fields = ["filename", "sha256"]
    list_select_related = ["creditor"]
    inlines = [BankLineInline]


@admin.register(BankLine)
class BankLineAdmin(TenantScopedAdmin):
    list_display = [
        "booking_date",
        "amount",
        "currency",
        "counterparty_name",
        "structured_reference",
        "status",
        "claim",
    ]
    list_filter = ["status", "creditor"]
    search_fields = [
        "counterparty_name",
        "counterparty_iban",
        "structured_reference",
        "free_text",
    ]
    list_select_related = ["claim"]
    raw_id_fields = ["bank_import", "claim", "payment"]
    date_hierarchy = "booking_date"
    actions = [export_csv]


@admin.register(ImportMapping)
class ImportMappingAdmin(TenantScopedAdmin):
    """Column mappings remembered per creditor for CSV imports."""

    list_display = ["creditor", "kind"]
    list_filter = ["kind", "creditor"]
    list_select_related = ["creditor"]


@admin.register(ImportJob)
class ImportJobAdmin(ImmutableAdmin):
    """Background imports (large CSV files and bank statements): what each
    one did, its refused lines and its message, as the owner saw them."""

    list_display = [
        "created_at",
        "creditor",
        "kind",
        "filename",
        "status",
        "rows_total",
        "rows_imported",
        "finished_at",
    ]
    list_filter = ["kind", "status", "creditor"]
    search_fields = ["filename"]
    list_select_related = ["creditor"]
    date_hierarchy = "created_at"
