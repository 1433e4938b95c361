"""Reusable, chainable filters. Tenant scoping starts every user-facing query."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from typing import Self

from django.db import models

if TYPE_CHECKING:
    from claims.models import Creditor


class CreditorScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to one creditor (the tenant)."""

    def for_creditor(self, creditor: Creditor | int) -> Self:
        creditor_id = creditor if isinstance(creditor, int) else creditor.pk
        return self.filter(creditor_id=creditor_id)


class ClaimQuerySet(CreditorScopedQuerySet):
    def open(self) -> Self:
        return self.filter(status="open")

    def closed(self) -> Self:
        return self.filter(status="closed")

    def overdue(self, *, on: date) -> Self:
        return self.open().filter(oldest_due_date__lt=on)


class AppendOnlyQuerySet(CreditorScopedQuerySet):
    """Ledger rows (payments, events) are never updated nor deleted in bulk."""

    def update(self, **kwargs: object) -> int:
        raise TypeError(f"{self.model.__name__} rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.model.__name__} rows are append-only")
