"""Reads spanning relations: summaries and lists, set-based, constant query count."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count
from django.db.models import DecimalField
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Sum
from django.db.models import Value
from django.db.models.functions import Coalesce

from claims.models import Claim
from claims.models import Debtor

_MONEY = DecimalField(max_digits=14, decimal_places=2)
_ZERO = Value(Decimal("0.00"), output_field=_MONEY)


def creditor_summary(*, creditor_id: int) -> dict[str, Decimal | int]:
    """Open balance and counts per stage for one creditor, in one query."""
    return Claim.objects.for_creditor(creditor_id).aggregate(
        open_count=Count("pk", filter=Q(status="open")),
        open_balance=Coalesce(
            Sum("balance", filter=Q(status="open")), _ZERO, output_field=_MONEY
        ),
        closed_count=Count("pk", filter=Q(status="closed")),
        formal_notice_count=Count("pk", filter=Q(status="open", stage="formal_notice")),
        judicial_count=Count("pk", filter=Q(status="open", stage="judicial")),
        disputed_count=Count("pk", filter=Q(status="open", stage="disputed")),
    )


def debtors_with_exposure(*, creditor_id: int) -> QuerySet[Debtor]:
    """Debtors of a creditor annotated with their open exposure and claim count."""
    return (
        Debtor.objects.for_creditor(creditor_id)
        .annotate(
            exposure=Coalesce(
                Sum("claims__balance", filter=Q(claims__status="open")),
                _ZERO,
                output_field=_MONEY,
            ),
            open_claims=Count("claims", filter=Q(claims__status="open")),
        )
        .order_by("-exposure", "name")
    )
