"""Exports of claims, payments and the aged balance as CSV or XLSX (selectors + writers).

Rows carry labels in the reader's language rather than internal codes, and
Python values (Decimal, date); the writers format them. The CSV opens right
in Excel in Belgium and France: UTF-8 with a BOM, ``;`` between cells and a
decimal comma in French and Dutch (``,`` and a decimal point in English),
dates day first. Every cell goes through the formula-injection guard.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from claims.l10n import format_date
from claims.l10n import lang_of
from claims.models import Claim
from claims.models import Creditor
from claims.models import Payment
from claims.models import PaymentMethod
from claims.models import Stage
from claims.security.params import SafeCsvWriter
from claims.security.params import row_safe

AGE_BUCKETS = ((0, "0"), (30, "1-30"), (60, "31-60"), (90, "61-90"))


def claims_rows(
    *, creditor: Creditor, queryset: QuerySet[Claim] | None = None
) -> tuple[list[str], Iterable[list[object]]]:
    """One row per claim (``queryset``: the claims list's filtered selection)."""
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
    claims = (
        queryset.filter(creditor=creditor)  # keeps the list's own order
        if queryset is not None
        else Claim.objects.filter(creditor=creditor).order_by("reference")
    )
    statuses, stages = dict(Claim.Status.choices), dict(Stage.choices)
    rows = (
        [*r[:3], statuses.get(r[3], r[3]), stages.get(r[4], r[4]), *r[5:]]
        for r in claims.values_list(
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
        ).iterator(chunk_size=5000)
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
    methods = dict(PaymentMethod.choices)
    rows = (
        [*r[:5], methods.get(r[5], r[5]), *r[6:]]
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
        [_("Débiteur"), _("Non échu")]
        + [_("%(b)s jours") % {"b": lb} for lb in labels[1:]]
        + [_("Total")]
    )
    rows = [
        [name, *per.values(), sum(per.values(), Decimal("0.00"))]
        for name, per in sorted(totals.items())
    ]
    return header, rows


def csv_cell(value: object, lang: str) -> object:
    """A value as a spreadsheet in ``lang``'s country reads it: ``1234,56`` (fr, nl)
    or ``1234.56`` (en), no thousands separator; dates day first."""
    if isinstance(value, Decimal):
        text = (
            f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
        )
        return text.replace(".", ",") if lang != "en" else text
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{format_date(local)} {local:%H:%M}"
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Promise):
        return str(value)
    return "" if value is None else value


def to_csv(
    header: list[str], rows: Iterable[list[object]], *, lang: str | None = None
) -> bytes:
    """CSV for Excel: UTF-8 with a BOM, ``;`` and decimal comma outside English."""
    code = lang_of(lang)
    out = io.StringIO()
    writer = SafeCsvWriter(out, delimiter="," if code == "en" else ";")
    writer.writerow([str(h) for h in header])
    writer.writerows([csv_cell(v, code) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM


def to_xlsx(header: list[str], rows: Iterable[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(row_safe([str(h) for h in header]))
    for row in rows:
        sheet.append(row_safe([str(v) if isinstance(v, Promise) else v for v in row]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
