"""Formatting filters for letters: money the way each language writes it."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import translation

from claims.l10n import format_amount
from claims.l10n import format_rate

register = template.Library()


def format_money(amount: Decimal, currency: str = "EUR", language: str = "") -> str:
    """The interface's own format (claims.l10n): ``1 210,00 €``, ``€ 1.210,00``, ``€1,210.00``."""
    return format_amount(amount, currency, lang=language or None)


@register.filter
def money(amount: Decimal, currency: str = "EUR") -> str:
    return format_money(amount, currency)


@register.filter
def rate(value: Decimal) -> str:
    """A yearly rate in percent, decimal comma outside English."""
    return format_rate(value)


@register.inclusion_tag("letters/_claim_documents.html", takes_context=True)
def claim_documents(context: dict, claim: object) -> dict:
    """The claim's archived documents with download links and the letter buttons."""
    from letters.models import Document

    request = context.get("request")
    membership = getattr(request, "_membership", None)
    return {
        "claim": claim,
        "documents": Document.objects.filter(claim=claim).order_by("-rendered_at"),
        "can_write": bool(membership and membership.can_write),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def iban(value: str) -> str:
    """``BE68 5390 0754 7034``: an IBAN in groups of four."""
    from letters.context import group_iban

    return group_iban(value or "")


@register.simple_tag
def colon() -> str:
    """A colon as the language writes it: French puts a no-break space before."""
    return "\u00a0:" if (translation.get_language() or "fr")[:2] == "fr" else ":"
