"""Admin views of the audit log (read-only) and of users' second factors."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from claims.models import AuditEntry
from claims.models import TOTPDevice


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "username", "creditor", "ip"]
    list_filter = ["kind"]
    search_fields = ["username", "ip"]
    date_hierarchy = "at"
    readonly_fields = ["at", "kind", "user", "username", "creditor", "ip", "detail"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    """Operators can only see and remove a device (a user who lost a phone)."""

    list_display = ["user", "confirmed_at", "created_at"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "confirmed_at", "created_at"]
    exclude = ["secret", "last_step"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
