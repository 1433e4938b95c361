"""The dashboard's per-creditor figures, kept exact by the database itself.

``CreditorFigures`` holds, per creditor, every whole-book figure of the
dashboard for one day (``as_of``): headline amounts, aging buckets, the
claim-only decision counts, the failed and uncertain sends, cash and invoiced
by month, the CEI's inputs, what entered and was collected in each step.
``FiguresChange`` is the list of creditors whose rows changed since: the
database appends to it in the same transaction as the change (triggers on
``claims_claim`` and ``claims_debtor``, migration ``0011_creditor_figures``;
on payments, invoices, actions and judicial cases, ``0013_dashboard_figures``;
PostgreSQL and SQLite alike), so no writer — service, bulk import, COPY, raw
``UPDATE`` — can forget it. The reader (:func:`claims.ledger.selectors.dashboard_figures`)
uses the stored row when nothing changed and the day is the same, and
recomputes it set-based otherwise."""

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
    """A creditor whose figures' rows changed after its figures were computed."""

    # Written by database triggers: a plain column, no foreign key to check.
    creditor_id = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return str(self.creditor_id)
