"""The dashboard's per-creditor figures, kept exact by the database itself.

``CreditorFigures`` holds, per creditor, the headline amounts, the aging
buckets and the claim-only decision counts of one day (``as_of``).
``FiguresChange`` is the list of creditors whose claims changed since: the
database appends to it in the same transaction as the change (triggers on
``claims_claim`` and ``claims_debtor``, PostgreSQL and SQLite alike, migration
``0011_creditor_figures``), so no writer — service, bulk import, COPY, raw
``UPDATE`` — can forget it. The reader (:func:`claims.ledger.selectors.dashboard_figures`)
uses the stored row when nothing changed and the day is the same, and
recomputes it set-based otherwise.
"""

from __future__ import annotations

from django.db import models


class CreditorFigures(models.Model):
    creditor = models.OneToOneField(
        "claims.Creditor",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
    )
    as_of = models.DateField()
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.creditor_id} @ {self.as_of}"


class FiguresChange(models.Model):
    """A creditor whose claims changed after its figures were computed."""

    # Written by database triggers: a plain column, no foreign key to check.
    creditor_id = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return str(self.creditor_id)
