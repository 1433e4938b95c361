"""Exports of claims, payments and the aged balance as CSV or XLSX (selectors + writers)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from claims.models import Claim
from claims.models import Creditor
from claims.models import Payment
from claims.security.params import SafeCsvWriter
from claims.security.params import row_safe

AGE_BUCKETS = ((0, "0"), (30, "1-30"), (60, "31-60"), (90, "61-90"))


def claims_rows(*, creditor: Creditor) -> tuple[list[str], Iterable[list[object]]]:
    header = [
        _("Référence"),
        _("Communication"),
        _("Débiteur"),
        _("Statut"),
        _("Étape"),
        _("Principal"),
        _("Payé"),
        _("Principal dû"),
        _("Intérêts dus"),
        _("Frais dus"),
        _("Solde"),
        _("Devise"),
        _("Échéance la plus ancienne"),
        _("Montants au"),
    ]
    rows = (
        list(r)
        for r in Claim.objects.filter(creditor=creditor)
        .order_by("reference")
        .values_list(
            "reference",
            "structured_reference",
            "debtor__name",
            "status",
            "stage",
            "principal",
            "paid",
            # The statement of account stored on the claim (Claim docstring).
            "due_principal",
            "due_interest",
            "due_costs",
            "balance",
            "currency",
            "oldest_due_date",
            "figures_at",
        )
        .iterator(chunk_size=5000)
    )
    return header, rows


def payments_rows(*, creditor: Creditor) -> tuple[list[str], Iterable[list[object]]]:
    header = [
        _("Date"),
        _("Créance"),
        _("Débiteur"),
        _("Montant"),
        _("Devise"),
        _("Mode"),
        _("Référence"),
        _("IBAN du payeur"),
        _("Motif du rapprochement"),
    ]
    rows = (
        list(r)
        for r in Payment.objects.filter(creditor=creditor)
        .order_by("date", "pk")
        .values_list(
            "date",
            "claim__reference",
            "claim__debtor__name",
            "amount",
            "currency",
            "method",
            "reference",
            "payer_iban",
            "match_reason",
        )
        .iterator(chunk_size=5000)
    )
    return header, rows


def age_bucket(due: date | None, today: date) -> str:
    """Days overdue bucket: « 0 » (not yet due), 1-30, 31-60, 61-90, >90."""
    late = (today - due).days if due else 0
    for limit, label in AGE_BUCKETS:
        if late <= limit:
            return label
    return ">90"


def aged_balance_rows(
    *, creditor: Creditor, today: date
) -> tuple[list[str], list[list[object]]]:
    """Open balance per debtor split by how late the claims are (one query)."""
    labels = [b[1] for b in AGE_BUCKETS] + [">90"]
    totals: dict[str, dict[str, Decimal]] = {}
    for name, due, balance in Claim.objects.filter(
        creditor=creditor, status=Claim.Status.OPEN
    ).values_list("debtor__name", "oldest_due_date", "balance"):
        per = totals.setdefault(name, dict.fromkeys(labels, Decimal("0.00")))
        per[age_bucket(due, today)] += balance
    header = (
        [_("Débiteur"), _("Non échu")] + [f"{lb} j" for lb in labels[1:]] + [_("Total")]
    )
    rows = [
        [name, *per.values(), sum(per.values(), Decimal("0.00"))]
        for name, per in sorted(totals.items())
    ]
    return header, rows


def to_csv(header: list[str], rows: Iterable[list[object]]) -> bytes:
    out = io.StringIO()
    writer = SafeCsvWriter(out, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM


def to_xlsx(header: list[str], rows: Iterable[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(row_safe(header))
    for row in rows:
        sheet.append(row_safe(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
