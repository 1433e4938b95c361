"""Request parameters that cannot be trusted: codes, redirect targets, cells.

A malformed UUID in a query string or a form answers like an unknown one
(nothing found) instead of a 500; a ``next`` that leaves the site is ignored;
a text cell that a spreadsheet would read as a formula is neutralised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from uuid import UUID

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def uuid_or_none(value: object) -> UUID | None:
    """The UUID written in ``value``, or None when it is not one."""
    if isinstance(value, UUID):
        return value
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return UUID(value.strip())
    except ValueError:
        return None


def uuid_list(values: Iterable[object]) -> list[UUID]:
    """The valid UUIDs among ``values`` (the others are dropped)."""
    return [u for u in map(uuid_or_none, values) if u is not None]


def safe_next(request: HttpRequest, value: str | None, default: str) -> str:
    """``value`` when it is a path on this site, else ``default`` (no open redirect)."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


# OWASP "CSV injection": a cell starting with one of these is read as a formula
# by Excel, LibreOffice and Google Sheets. Plain numbers ("-12.50") stay numbers.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def cell_safe(value: object) -> object:
    """A spreadsheet cell that cannot run: text starting like a formula gets a '."""
    if (
        isinstance(value, str)
        and value.startswith(_FORMULA_START)
        and not _NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def row_safe(row: Iterable[object]) -> list[object]:
    return [cell_safe(v) for v in row]


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through :func:`cell_safe`."""

    def __init__(self, out: object, **kwargs: object) -> None:
        import csv

        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[object]) -> object:
        return self._writer.writerow(row_safe(row))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
