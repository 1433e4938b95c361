"""Money for people: ``{{ amount|money }}`` → « 1 234,56 € » in French.

Uses the active language's number format (Django's ``formats``), always two
decimals, with a non-breaking thin space before the euro sign in French and
Dutch (« € 1.234,56 » in Dutch, « €1,234.56 » in English).
"""

from __future__ import annotations

from django import template

from claims.l10n import NBSP
from claims.l10n import format_amount
from claims.l10n import format_date
from claims.l10n import format_number
from claims.l10n import format_rate
from claims.l10n import lang_of

register = template.Library()

__all__ = ["NBSP", "format_money"]


def format_money(
    value: object, currency: str = "EUR", *, lang: str | None = None
) -> str:
    """Format ``value`` for ``lang`` (the active language by default); empty for None."""
    return format_amount(value, currency or "EUR", lang=lang)


@register.filter
def money(value: object, currency: str = "EUR") -> str:
    return format_amount(value, currency or "EUR")


@register.filter
def number(value: object, places: int = 2) -> str:
    """A number in the active language: ``1 234,5`` / ``1.234,5`` / ``1,234.5``."""
    return format_number(value, int(places))


@register.filter
def day(value: object) -> str:
    """A date, day first, the same in every language: ``28/11/2026``."""
    return format_date(value)  # type: ignore[arg-type]


@register.filter
def rate(value: object) -> str:
    """A yearly rate: ``2,15 %`` (fr, nl), ``2.15%`` (en)."""
    return format_rate(value)


@register.filter
def pct(value: object) -> str:
    """A percentage with one decimal in the active locale, or « — »."""
    if value is None:
        return "—"
    text = format_number(value, 1)
    return f"{text}%" if lang_of() == "en" else f"{text}{NBSP}%"
