"""Personal data of debtors: anonymisation after retention, and access requests.

The rule (how long) is ``claims.privacy.retention``; this module reads and writes.
Other apps holding debtor data (``letters``: documents, e-mails) plug in
through ``settings.PRIVACY_EXTENSIONS``: modules exposing
``debtors_anonymise(*, debtor_ids: list[int]) -> None`` and
``debtor_export(*, debtor: Debtor) -> dict``. (claims never imports letters.)
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from types import ModuleType
from typing import Any

from django.conf import settings
from django.core import serializers
from django.db import models
from django.db import transaction
from django.db.models import CharField
from django.db.models import Exists
from django.db.models import Max
from django.db.models import OuterRef
from django.db.models import Value
from django.db.models.functions import Cast
from django.db.models.functions import Concat
from django.utils import timezone

from claims.models import Action
from claims.models import AuditEntry
from claims.models import BankLine
from claims.models import Claim
from claims.models import Debtor
from claims.models import DebtorContact
from claims.models import Dispute
from claims.models import Event
from claims.models import Invoice
from claims.models import JudicialCase
from claims.models import Payment
from claims.models import PaymentPlan
from claims.models import PortalToken
from claims.models import Waiver
from claims.privacy import retention
from claims.security.audit import audit_record

ANONYMOUS_NAME = "Débiteur anonymisé #"
ERASED = "[anonymisé]"


def _extensions() -> list[ModuleType]:
    return [import_module(path) for path in getattr(settings, "PRIVACY_EXTENSIONS", [])]


def _table() -> dict[tuple[str, str], int]:
    return {
        **retention.DEFAULT_YEARS_AFTER_CLOSE,
        **getattr(settings, "RETENTION_YEARS_AFTER_CLOSE", {}),
    }


def _candidates() -> models.QuerySet[Debtor]:
    """Debtors not yet anonymised, with at least one closed claim and no open one."""
    open_claim = Claim.objects.filter(debtor_id=OuterRef("pk"), status="open")
    return (
        Debtor.objects.filter(anonymised_at__isnull=True)
        .exclude(Exists(open_claim))
        .annotate(last_closed=Max("claims__closed_on"))
        .filter(last_closed__isnull=False)
    )


def debtors_due_for_anonymisation(*, today: dt.date) -> list[int]:
    """Ids of the debtors whose retention period ran out on ``today``.

    One query: the database narrows by the shortest period, the pure rule
    decides each row (29 February and per-country periods).
    """
    table = _table()
    shortest = min([*table.values(), retention.FALLBACK_YEARS])
    rows = (
        _candidates()
        .filter(last_closed__lte=retention.subtract_years(today, shortest))
        .values_list("pk", "last_closed", "creditor__country", "kind")
        .order_by("pk")
    )
    return [
        pk
        for pk, last_closed, country, kind in rows
        if retention.is_expired(
            closed_on=last_closed,
            years=retention.retention_years(
                country=country, debtor_kind=kind, table=table
            ),
            today=today,
        )
    ]


@transaction.atomic
def debtors_anonymise(
    *, debtor_ids: list[int], actor: Any = None, reason: str = "retention"
) -> list[int]:
    """Erase the personal data of these debtors; return the ids actually changed.

    Rows are locked and re-checked (still no open claim, not yet anonymised),
    so running twice, or alongside a new claim being opened, is safe. Amounts,
    dates and references of claims, invoices and payments are kept.
    """
    locked = list(
        Debtor.objects.select_for_update()
        .filter(pk__in=debtor_ids, anonymised_at__isnull=True)
        .values_list("pk", flat=True)
    )
    ids = list(
        _candidates().filter(pk__in=locked).values_list("pk", flat=True).order_by("pk")
    )
    if not ids:
        return []
    Debtor.objects.filter(pk__in=ids).update(
        name=Concat(Value(ANONYMOUS_NAME), Cast("pk", output_field=CharField())),
        legal_form="",
        enterprise_number="",
        vat_number="",
        email="",
        phone="",
        iban="",
        customer_number="",
        notes="",
        address_line1="",
        address_line2="",
        postal_code="",
        city="",
        anonymised_at=timezone.now(),
    )
    DebtorContact.objects.filter(debtor_id__in=ids).delete()
    PortalToken.objects.filter(debtor_id__in=ids).delete()
    # Ledger rows are append-only for business changes; erasing the payer's
    # identity at the end of retention is the one sanctioned exception (GDPR
    # art. 17), so the guard of their queryset is bypassed on purpose.
    models.QuerySet(Payment).filter(claim__debtor_id__in=ids).update(
        payer_iban="", reference=""
    )
    BankLine.objects.filter(claim__debtor_id__in=ids).update(
        counterparty_name="", counterparty_iban="", free_text=""
    )
    Dispute.objects.filter(claim__debtor_id__in=ids).update(reason=ERASED, answer="")
    PaymentPlan.objects.filter(claim__debtor_id__in=ids).update(note="")
    for extension in _extensions():
        extension.debtors_anonymise(debtor_ids=ids)
    audit_record(
        kind=AuditEntry.Kind.ANONYMISE,
        user=actor,
        detail={"debtor_ids": ids, "reason": reason},
    )
    return ids


def debtors_anonymise_expired(
    *, today: dt.date, dry_run: bool = False, batch: int = 500
) -> list[int]:
    """Anonymise every debtor past retention, in batches; return their ids."""
    due = debtors_due_for_anonymisation(today=today)
    if dry_run:
        return due
    done: list[int] = []
    for start in range(0, len(due), batch):
        done += debtors_anonymise(debtor_ids=due[start : start + batch])
    return done


def _rows(queryset: models.QuerySet[Any], exclude: tuple[str, ...] = ()) -> list[dict]:
    out = []
    for item in serializers.serialize("python", queryset):
        fields = {k: v for k, v in item["fields"].items() if k not in exclude}
        out.append({"id": item["pk"], **fields})
    return out


def debtor_data_export(*, debtor: Debtor, actor: Any = None) -> dict[str, Any]:
    """Everything held about one debtor (GDPR art. 15 access request).

    Secrets (portal token hashes) are left out. The export is audited.
    """
    claims = Claim.objects.filter(debtor=debtor).order_by("pk")
    claim_ids = list(claims.values_list("pk", flat=True))
    by_claim = {"claim_id__in": claim_ids}
    data: dict[str, Any] = {
        "generated_at": timezone.now(),
        "creditor": {
            "name": debtor.creditor.legal_name,
            "enterprise_number": debtor.creditor.enterprise_number,
        },
        "debtor": _rows(Debtor.objects.filter(pk=debtor.pk))[0],
        "contacts": _rows(DebtorContact.objects.filter(debtor=debtor)),
        "claims": _rows(claims),
        "invoices": _rows(Invoice.objects.filter(**by_claim).order_by("pk")),
        "payments": _rows(Payment.objects.filter(**by_claim).order_by("pk")),
        "waivers": _rows(Waiver.objects.filter(**by_claim).order_by("pk")),
        "events": _rows(Event.objects.filter(**by_claim).order_by("pk")),
        "actions": _rows(Action.objects.filter(**by_claim).order_by("pk")),
        "disputes": _rows(Dispute.objects.filter(**by_claim).order_by("pk")),
        "payment_plans": _rows(PaymentPlan.objects.filter(**by_claim).order_by("pk")),
        "judicial_cases": _rows(JudicialCase.objects.filter(**by_claim)),
        "bank_lines": _rows(BankLine.objects.filter(**by_claim).order_by("pk")),
        "portal_accesses": _rows(
            PortalToken.objects.filter(debtor=debtor), exclude=("token_hash",)
        ),
    }
    for extension in _extensions():
        data.update(extension.debtor_export(debtor=debtor))
    audit_record(
        kind=AuditEntry.Kind.DATA_EXPORT,
        user=actor,
        creditor=debtor.creditor_id,
        detail={"debtor": str(debtor.code)},
    )
    return data
