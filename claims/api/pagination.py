"""Cursor pagination: an opaque cursor on the primary key, newest first.

A cursor stays valid while rows are added (unlike page numbers), and a page
costs the same at row 10 and at row 100,000 (an indexed ``pk < cursor``).
"""

from __future__ import annotations

import base64
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from claims.api.problems import ApiProblem

MAX_LIMIT = 100


def _decode(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode() + b"==").decode()
        kind, _sep, value = raw.partition(":")
        if kind != "pk":
            raise ValueError(raw)
        return int(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiProblem(
            422,
            "invalid-input",
            _("Données refusées"),
            errors=[{"field": "cursor", "reason": _("Curseur inconnu.")}],
        ) from exc


def _encode(pk: int) -> str:
    return base64.urlsafe_b64encode(f"pk:{pk}".encode()).decode().rstrip("=")


def paginate(
    qs: QuerySet, *, cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """One page of ``qs`` (newest first) and the cursor of the next page."""
    qs = qs.order_by("-pk")
    if cursor:
        qs = qs.filter(pk__lt=_decode(cursor))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (_encode(rows[-1].pk) if more and rows else None)
