"""Formatting filters for letters: money the way each language writes it."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import translation

register = template.Library()


def format_money(amount: Decimal, currency: str = "EUR", language: str = "") -> str:
    """``1 210,00 €`` (fr, narrow no-break space), ``1.210,00 €`` (nl) or
    ``€1,210.00`` (en); never a float."""
    lang = (language or translation.get_language() or "fr")[:2]
    value = Decimal(amount).quantize(Decimal("0.01"))
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = f"{int(whole):,}"
    symbol = "€" if currency == "EUR" else currency
    if lang == "en":
        return f"{sign}{symbol}{groups}.{cents}"
    if lang == "fr":  # thousands: narrow no-break space (Imprimerie nationale)
        return f"{sign}{groups.replace(',', '\u202f')},{cents}\u00a0{symbol}"
    return f"{sign}{groups.replace(',', '.')},{cents}\u00a0{symbol}"


@register.filter
def money(amount: Decimal, currency: str = "EUR") -> str:
    return format_money(amount, currency)


@register.filter
def rate(value: Decimal) -> str:
    """A yearly rate in percent, decimal comma outside English."""
    text = f"{Decimal(value).normalize():f}"
    if (translation.get_language() or "fr")[:2] != "en":
        text = text.replace(".", ",")
    return f"{text}\u00a0%"


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
