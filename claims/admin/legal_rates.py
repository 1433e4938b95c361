"""Admin for the dated legal rates (the operator keeps them up to date)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib import messages
from django.http import HttpRequest
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import Rate


@admin.register(Rate)
class RateAdmin(admin.ModelAdmin):
    list_display = ("kind", "valid_from", "valid_to", "value", "confirmed", "source")
    list_filter = ("kind", "confirmed")
    search_fields = ("source",)
    date_hierarchy = "valid_from"
    ordering = ("kind", "-valid_from")

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Tell the operator which rates needed now are not in the table yet
        (the engine applies the documented fallback meanwhile, legal-brief §12);
        the same list as the system check claims.W001."""
        from claims.ledger.statements import missing_rates

        missing = missing_rates(timezone.localdate())
        if missing and request.method == "GET":
            messages.warning(
                request,
                _(
                    "Taux non publiés dans la table : %(list)s. Un taux provisoire "
                    "(règle de repli) est appliqué ; saisissez la valeur publiée."
                )
                % {"list": ", ".join(missing)},
            )
        return super().changelist_view(request, extra_context)
