"""Formatting filters for letters: money the way each language writes it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

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


INTEREST_BLOCK_LINES = 8


@register.filter
def interest_blocks(periods: Sequence[Any], size: int = INTEREST_BLOCK_LINES) -> list:
    """The interest lines in blocks of at most ``size``, an invoice's lines
    kept in one block when they fit (a block longer than ``size`` is cut).

    A PDF letter prints one table row per block, each column one text of
    several lines: every line is still printed, but the renderer lays out a
    handful of cells instead of six per line (the detail of a long claim
    was most of a formal notice's render time). Blocks end where an
    invoice ends, and a page break falls only between two blocks.
    """
    blocks: list[list[Any]] = []
    current: list[Any] = []
    for group in _invoice_groups(periods):
        if current and len(current) + len(group) > size:
            blocks.append(current)
            current = []
        for line in group:
            if len(current) == size:
                blocks.append(current)
                current = []
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _invoice_groups(periods: Sequence[Any]) -> list[list[Any]]:
    """Consecutive interest lines of the same invoice, in their order."""
    groups: list[list[Any]] = []
    for line in periods:
        if groups and groups[-1][0].invoice == line.invoice:
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups
