"""Money for people: ``{{ amount|money }}`` → « 1 234,56 € » in French.

Uses the active language's number format (Django's ``formats``), always two
decimals, with a non-breaking thin space before the euro sign in French and
Dutch (« € 1.234,56 » in Dutch, « €1,234.56 » in English).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation

from django import template
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()

_SYMBOLS = {"EUR": "€"}
NBSP = "\u00a0"


def format_money(value: object, currency: str = "EUR", *, lang: str = "fr") -> str:
    """Format ``value`` for ``lang``; empty string for None or non-numbers."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    symbol = _SYMBOLS.get(currency, currency)
    number = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    if lang.startswith("fr"):
        # French typographic rule: non-breaking spaces in groups and before €.
        number = number.replace(" ", NBSP).replace("\u202f", NBSP)
        return f"{number}{NBSP}{symbol}"
    if lang.startswith("nl"):
        return f"{symbol}{NBSP}{number}"
    sign = "-" if number.startswith("-") else ""
    return f"{sign}{symbol}{number.lstrip('-')}"


@register.filter
def money(value: object, currency: str = "EUR") -> str:
    return format_money(value, currency or "EUR", lang=get_language() or "fr")


@register.filter
def pct(value: object) -> str:
    """A percentage with one decimal in the active locale, or « — »."""
    if value is None:
        return "—"
    return f"{formats.number_format(value, 1, use_l10n=True)}{NBSP}%"
