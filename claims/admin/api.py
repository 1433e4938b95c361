"""Back-office view of the API: tokens, webhook endpoints and their deliveries.

Tokens and endpoints are created by owners in Settings → API (the secret is
shown once there); here they are read, never edited, and secrets never shown.
"""

from django.contrib import admin

from claims.models import ApiToken
from claims.models import WebhookDelivery
from claims.models import WebhookEndpoint

from .base import ImmutableAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ImmutableAdmin):
    list_display = ["name", "creditor", "prefix", "scope", "last_used_at", "revoked_at"]
    list_filter = ["scope", "creditor"]
    search_fields = ["name", "prefix", "creditor__legal_name"]
    list_select_related = ["creditor"]
    exclude = ["token_hash"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ImmutableAdmin):
    list_display = ["url", "creditor", "is_active", "created_at"]
    list_filter = ["is_active", "creditor"]
    search_fields = ["url", "creditor__legal_name"]
    list_select_related = ["creditor"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ImmutableAdmin):
    creditor_path = "endpoint__creditor_id"
    list_display = [
        "event_type",
        "endpoint",
        "attempts",
        "last_status_code",
        "delivered_at",
        "created_at",
    ]
    list_filter = ["event_type", "last_status_code"]
    search_fields = ["event_id", "endpoint__url"]
    list_select_related = ["endpoint"]
