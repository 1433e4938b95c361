"""Formatting filters for letters: money the way each language writes it."""

from __future__ import annotations

from collections.abc import Callable
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


BLOCK_LINES = 8
# The longest texts sure to fit on one line of the statement's columns
# (8.8 pt capitals): invoice number (20 % of the A4 text width), object (30 %).
BLOCK_NUMBER = 14
BLOCK_DESCRIPTION = 24


@register.filter
def interest_blocks(periods: Sequence[Any], size: int = BLOCK_LINES) -> list:
    """The interest lines in blocks of at most ``size``, an invoice's lines
    kept in one block when they fit (a block longer than ``size`` is cut).

    A PDF letter prints one table row per block, each column one text of
    several lines: every line is still printed, but the renderer lays out a
    handful of cells instead of six per line (the detail of a long claim
    was most of a formal notice's render time). A page break falls only
    between two blocks. The lines of an invoice whose number may wrap are
    one block each: a wrapped line in a block would shift the lines below
    it away from their figures.
    """
    return _blocks(
        _groups(periods, lambda line: line.invoice),
        lambda line: len(line.invoice) <= BLOCK_NUMBER,
        size,
    )


@register.filter
def invoice_blocks(invoices: Sequence[Any], size: int = BLOCK_LINES) -> list:
    """The statement's invoices in blocks of at most ``size`` lines, as
    :func:`interest_blocks`; an invoice whose number or object may wrap (a
    credit note's number has a prefix) is a block of its own."""
    return _blocks(
        [[invoice] for invoice in invoices],
        lambda invoice: (
            not invoice.is_credit_note
            and len(invoice.number) <= BLOCK_NUMBER
            and len(invoice.description) <= BLOCK_DESCRIPTION
        ),
        size,
    )


def _blocks(
    groups: list[list[Any]], fits: Callable[[Any], bool], size: int
) -> list[list[Any]]:
    blocks: list[list[Any]] = []
    current: list[Any] = []
    for group in groups:
        if not all(fits(line) for line in group):
            if current:
                blocks.append(current)
                current = []
            blocks.extend([line] for line in group)
            continue
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


def _groups(lines: Sequence[Any], key: Callable[[Any], Any]) -> list[list[Any]]:
    """Consecutive lines with the same ``key``, in their order."""
    groups: list[list[Any]] = []
    for line in lines:
        if groups and key(groups[-1][0]) == key(line):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups
