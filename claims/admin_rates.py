"""Admin for the dated legal rates (the operator keeps them up to date)."""

from __future__ import annotations

from django.contrib import admin

from claims.models import Rate


@admin.register(Rate)
class RateAdmin(admin.ModelAdmin):
    list_display = ("kind", "valid_from", "valid_to", "value", "confirmed", "source")
    list_filter = ("kind", "confirmed")
    search_fields = ("source",)
    date_hierarchy = "valid_from"
    ordering = ("kind", "-valid_from")
