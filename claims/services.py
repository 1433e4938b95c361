"""Writes that span models: open a claim, add invoices, record payments, log events.

Services are keyword-only and typed, validate with ``full_clean()`` before
saving, and write an :class:`~claims.models.Event` for every change to a claim.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db import transaction
from django.db.models import F
from django.db.models import Q
from django.utils import timezone

from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Event
from claims.models import Invoice
from claims.models import InvoiceKind
from claims.models import Payment
from claims.models import PaymentMethod
from claims.models import Waiver
from claims.validators import ogm_from_number

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvoiceData:
    number: str
    issue_date: date
    due_date: date
    amount: Decimal
    vat_amount: Decimal = Decimal("0.00")
    description: str = ""
    delivery_date: date | None = None
    kind: str = InvoiceKind.INVOICE
    currency: str = "EUR"


def event_record(
    *,
    claim: Claim,
    kind: str,
    message: str,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one entry to the claim's timeline (who, when, what, before/after)."""
    label = actor_label or (actor.get_username() if actor is not None else "système")
    return Event.objects.create(
        creditor_id=claim.creditor_id,
        claim=claim,
        kind=kind,
        message=message[:500],
        actor=actor,
        actor_label=label,
        data=data or {},
    )


def structured_reference_next(*, creditor_id: int) -> str:
    """Reserve the creditor's next Belgian structured communication (OGM).

    The counter is bumped with a conditional UPDATE under a row lock so two
    claims opened at once never receive the same communication.
    """
    creditor = (
        Creditor.objects.select_for_update()
        .only("pk", "ogm_sequence")
        .get(pk=creditor_id)
    )
    number = creditor.ogm_sequence + 1
    Creditor.objects.filter(pk=creditor_id).update(ogm_sequence=F("ogm_sequence") + 1)
    # The creditor's id prefixes the sequence so that references stay unique
    # even across creditors sharing one bank account export.
    return ogm_from_number((creditor_id % 10_000) * 1_000_000 + number % 1_000_000)


@transaction.atomic
def claim_open(
    *,
    creditor: Creditor,
    debtor: Debtor,
    invoices: list[InvoiceData],
    reference: str = "",
    actor: AbstractBaseUser | None = None,
    contract_rate: Decimal | None = None,
    terms_reference: str = "",
    has_debtor_writing: bool = False,
) -> Claim:
    """Open a claim for ``debtor`` carrying ``invoices``; the scenario is planned later.

    Raises ``ValidationError`` (nothing written) when the debtor belongs to
    another creditor, an invoice is invalid or an invoice number is reused.
    """
    from django.core.exceptions import ValidationError

    if debtor.creditor_id != creditor.pk:
        raise ValidationError("Debtor belongs to another creditor")
    if not invoices:
        raise ValidationError("A claim needs at least one invoice")
    ogm = structured_reference_next(creditor_id=creditor.pk)
    claim = Claim(
        creditor=creditor,
        debtor=debtor,
        reference=reference or f"C-{ogm[3:6]}{ogm[7:11]}{ogm[12:17]}",
        structured_reference=ogm if creditor.country == "BE" else "",
        contract_rate=contract_rate,
        terms_reference=terms_reference,
        has_debtor_writing=has_debtor_writing,
        currency=invoices[0].currency,
    )
    if creditor.country != "BE":
        claim.structured_reference = f"RF-{claim.reference}"
    claim.full_clean(exclude=["scenario"])
    claim.save()
    for data in invoices:
        _invoice_create(claim=claim, data=data)
    claim_refresh_totals(claim=claim)
    event_record(
        claim=claim,
        kind=Event.Kind.CREATED,
        actor=actor,
        message=f"Créance ouverte : {len(invoices)} facture(s), {claim.principal} {claim.currency}",
        data={"invoices": [i.number for i in invoices]},
    )
    _engine().claim_plan_on_open(claim=claim)
    return claim


def _engine() -> Any:
    # Imported late: the engine imports this module (event_record).
    from claims import services_collection

    return services_collection


def _invoice_create(*, claim: Claim, data: InvoiceData) -> Invoice:
    invoice = Invoice(
        creditor_id=claim.creditor_id,
        claim=claim,
        kind=data.kind,
        number=data.number,
        issue_date=data.issue_date,
        due_date=data.due_date,
        delivery_date=data.delivery_date,
        amount=data.amount,
        vat_amount=data.vat_amount,
        description=data.description,
        currency=data.currency,
    )
    invoice.full_clean(exclude=["claim", "creditor"])
    invoice.save()
    return invoice


@transaction.atomic
def invoice_add(
    *, claim: Claim, data: InvoiceData, actor: AbstractBaseUser | None = None
) -> Invoice:
    """Add an invoice or a credit note to an open claim."""
    invoice = _invoice_create(claim=claim, data=data)
    claim_refresh_totals(claim=claim)
    event_record(
        claim=claim,
        kind=Event.Kind.INVOICE_ADDED,
        actor=actor,
        message=f"{invoice.get_kind_display()} {invoice.number} : {invoice.amount} {invoice.currency}",
    )
    return invoice


def claim_refresh_totals(
    *, claim: Claim, at: date | None = None, not_before: date | None = None
) -> Claim:
    """Store the statement of ``claim`` on ``at`` (default: the creditor's today).

    Sets the stored figures on ``claim`` too. See :func:`claims_refresh_figures`.
    """
    claims_refresh_figures(claim_ids=[claim.pk], at=at, not_before=not_before)
    fresh = (
        Claim.objects.filter(pk=claim.pk).values(*FIGURE_FIELDS, "oldest_due_date")
    ).first()
    if fresh is not None:
        claim.__dict__.update(fresh)
    return claim


# The stored figures of a claim: the statement's result (never a second formula).
FIGURE_FIELDS = (
    "principal",
    "paid",
    "balance",
    "due_principal",
    "due_interest",
    "due_costs",
    "figures_at",
)
FIGURES_BATCH = 500


def claims_refresh_figures(
    *,
    claim_ids: Iterable[int] | None = None,
    creditor_ids: Iterable[int] | None = None,
    at: date | None = None,
    not_before: date | None = None,
    batch_size: int = FIGURES_BATCH,
) -> int:
    """Run the statement of account for many claims and store its figures.

    The one writer of ``principal``, ``paid``, ``balance``, ``due_principal``,
    ``due_interest``, ``due_costs``, ``figures_at`` and ``oldest_due_date``.
    ``at`` defaults to each creditor's local today, and is never before
    ``not_before`` (the day of the payment or of the run that caused the
    refresh, which a simulated run puts ahead of the clock). Set-based: per batch of
    ``batch_size`` claims a constant number of queries load claims, parties,
    invoices, payments and waivers (claims.statements.claim_statements), the
    statements are computed in Python and written back with one bulk UPDATE.
    A claim whose statement cannot be computed (e.g. a date before the rate
    tables) keeps its previous figures and is logged. Returns the number of
    claims written.
    """
    qs = Claim.objects.all()
    if claim_ids is not None:
        qs = qs.filter(pk__in=list(claim_ids))
    if creditor_ids is not None:
        qs = qs.filter(creditor_id__in=list(creditor_ids))
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    written = 0
    for start in range(0, len(ids), batch_size):
        written += _figures_batch(ids[start : start + batch_size], at, not_before)
    return written


def _figures_batch(ids: list[int], at: date | None, not_before: date | None) -> int:
    from claims.law.rates import MissingRateError
    from claims.statements import claim_statements
    from claims.statements import creditor_today

    claims = list(Claim.objects.filter(pk__in=ids).select_related("creditor", "debtor"))
    by_day: dict[date, list[Claim]] = {}
    for claim in claims:
        day = at or creditor_today(claim.creditor)
        if not_before is not None and day < not_before:
            day = not_before
        by_day.setdefault(day, []).append(claim)
    changed: list[Claim] = []
    now = timezone.now()
    for day, group in by_day.items():
        try:
            statements = claim_statements(claims=group, at=day)
        except Exception:  # one claim must not stop the others
            statements = {}
            for claim in group:  # find the culprit, keep the others
                try:
                    statements |= claim_statements(claims=[claim], at=day)
                except Exception as exc:
                    # Left with its previous figures; the claim page says why.
                    expected = isinstance(exc, (MissingRateError, ValueError))
                    logger.warning(
                        "Statement of claim %s on %s failed: %r",
                        claim.pk,
                        day,
                        exc,
                        exc_info=not expected,
                    )
        for claim in group:
            s = statements.get(claim.pk)
            if s is None:
                continue
            claim.principal = max(s.principal, Decimal("0.00"))
            claim.paid = s.paid
            claim.balance = s.total_due - s.credit
            claim.due_principal = s.principal_due
            claim.due_interest = s.interest_due
            claim.due_costs = s.costs_due
            claim.figures_at = day
            claim.oldest_due_date = min(
                (
                    i.due_date
                    for i in claim.invoices.all()
                    if i.kind != InvoiceKind.CREDIT_NOTE
                ),
                default=None,
            )
            claim.updated_at = now
            changed.append(claim)
    _figures_write(changed)
    return len(changed)


_FIGURE_CASTS = {
    "principal": "numeric",
    "paid": "numeric",
    "balance": "numeric",
    "due_principal": "numeric",
    "due_interest": "numeric",
    "due_costs": "numeric",
    "figures_at": "date",
    "oldest_due_date": "date",
    "updated_at": "timestamptz",
}


def _figures_write(claims: list[Claim]) -> None:
    """One UPDATE for the batch: ``UPDATE … FROM (VALUES …)`` on PostgreSQL
    (``bulk_update``'s CASE WHEN is ten times slower), ``bulk_update`` elsewhere."""
    if not claims:
        return
    names = list(_FIGURE_CASTS)
    if connection.vendor != "postgresql":
        Claim.objects.bulk_update(claims, names)
        return
    meta = Claim._meta
    columns = [meta.get_field(n).column for n in names]
    row = "(%s, " + ", ".join(["%s"] * len(names)) + ")"
    sets = ", ".join(
        f'"{col}" = v."{col}"::{_FIGURE_CASTS[n]}'
        for n, col in zip(names, columns, strict=True)
    )
    # Identifiers come from the model's meta; every value is a parameter.
    values = ", ".join([row] * len(claims))
    target = ", ".join(f'"{c}"' for c in columns)
    table = meta.db_table
    sql = f'UPDATE "{table}" SET {sets} FROM (VALUES {values}) AS v(id, {target}) WHERE "{table}"."id" = v.id'  # noqa: S608
    params: list[Any] = []
    for claim in claims:
        params += [claim.pk, *(getattr(claim, n) for n in names)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@transaction.atomic
def payment_record(
    *,
    claim: Claim,
    amount: Decimal,
    on: date,
    method: str = PaymentMethod.TRANSFER,
    reference: str = "",
    payer_iban: str = "",
    actor: AbstractBaseUser | None = None,
    idempotency_key: str | None = None,
    match_reason: str = "",
) -> Payment:
    """Append a payment to the ledger and refresh the claim's cached totals.

    The claim row is locked first so that a collection run re-reading it
    under the same lock sees the payment (design.md: never after payment).
    """
    from django.core.exceptions import ValidationError

    if amount <= 0:
        raise ValidationError("Le montant d'un paiement doit être positif.")
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    payment = Payment(
        creditor_id=locked.creditor_id,
        claim=locked,
        amount=amount,
        date=on,
        method=method,
        reference=reference,
        payer_iban=payer_iban,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        idempotency_key=idempotency_key,
        match_reason=match_reason,
        currency=locked.currency,
    )
    payment.full_clean(exclude=["claim", "creditor", "created_by", "reverses"])
    payment.save()
    before = locked.balance
    claim_refresh_totals(claim=locked, not_before=on)
    event_record(
        claim=locked,
        kind=Event.Kind.PAYMENT,
        actor=actor,
        message=f"Paiement de {amount} {locked.currency} reçu le {on:%d/%m/%Y}",
        data={
            "amount": str(amount),
            "balance_before": str(before),
            "balance_after": str(locked.balance),
        },
    )
    _engine().claim_after_payment(claim=locked, actor=actor, today=on)
    claim.__dict__.update(
        {k: getattr(locked, k) for k in (*FIGURE_FIELDS, "status", "stage")}
    )
    return payment


@transaction.atomic
def payment_reverse(
    *, payment: Payment, reason: str, actor: AbstractBaseUser | None = None
) -> Payment:
    """Cancel a payment with a reversing row (the original row is never touched)."""
    reversal = Payment(
        creditor_id=payment.creditor_id,
        claim_id=payment.claim_id,
        amount=-payment.amount,
        date=timezone.localdate(),
        method=payment.method,
        reference=f"Annulation : {reason}"[:140],
        reverses=payment,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        currency=payment.currency,
    )
    reversal.save()
    claim = Claim.objects.select_for_update().get(pk=payment.claim_id)
    claim_refresh_totals(claim=claim)
    event_record(
        claim=claim,
        kind=Event.Kind.PAYMENT,
        actor=actor,
        message=f"Paiement de {payment.amount} {payment.currency} annulé : {reason}",
        data={"reversed_payment": str(payment.code)},
    )
    return reversal


def debtor_save(*, debtor: Debtor) -> Debtor:
    """Validate and save a debtor (identifiers are normalised by ``Debtor.clean``)."""
    debtor.full_clean()
    debtor.save()
    return debtor


@transaction.atomic
def waiver_record(
    *,
    claim: Claim,
    kind: str,
    amount: Decimal | None,
    reason: str,
    actor: AbstractBaseUser | None = None,
) -> Waiver:
    """Record an explicit renunciation of interest or fees (None = all of it).

    The statement of account subtracts it and shows it; an Event keeps who
    waived what and why.
    """
    waiver = Waiver(
        creditor_id=claim.creditor_id,
        claim=claim,
        kind=kind,
        amount=amount,
        reason=reason,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    waiver.full_clean()
    waiver.save()
    claim_refresh_totals(claim=claim)
    event_record(
        claim=claim,
        kind=Event.Kind.WAIVER,
        message=f"Renonciation ({waiver.get_kind_display()}) : "
        f"{amount if amount is not None else 'totale'} — {reason}",
        actor=actor,
        data={"kind": kind, "amount": str(amount) if amount is not None else None},
    )
    return waiver


def claims_stale_ids(
    *, now: datetime | None = None, limit: int | None = None, after_pk: int = 0
) -> list[int]:
    """Open claims (pk > ``after_pk``) whose stored figures are older than their
    creditor's today, in pk order.

    One query per distinct local date among creditors (in practice one or
    two), whatever the number of claims.
    """
    now = now or timezone.now()
    days: dict[date, list[int]] = {}
    for pk, tz in Creditor.objects.values_list("pk", "time_zone"):
        days.setdefault(now.astimezone(ZoneInfo(tz)).date(), []).append(pk)
    ids: list[int] = []
    for day, creditor_ids in days.items():
        qs = (
            Claim.objects.filter(
                status=Claim.Status.OPEN, creditor_id__in=creditor_ids, pk__gt=after_pk
            )
            .filter(Q(figures_at__isnull=True) | Q(figures_at__lt=day))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        ids += qs[:limit] if limit is not None else qs
    ids.sort()
    return ids[:limit] if limit is not None else ids


@dataclass(frozen=True)
class StaleRefresh:
    selected: int
    written: int
    last_pk: int


def claims_refresh_stale(
    *, now: datetime | None = None, limit: int | None = None, after_pk: int = 0
) -> StaleRefresh:
    """Nightly: store today's statement of every open claim still dated before it.

    Interest keeps running, so the figures of an open claim age by one day
    every night; each creditor's claims move to that creditor's local date.
    ``limit`` caps one call; ``after_pk`` continues after the last call (a
    claim whose statement fails cannot hold the others back).
    """
    now = now or timezone.now()
    ids = claims_stale_ids(now=now, limit=limit, after_pk=after_pk)
    if not ids:
        return StaleRefresh(0, 0, after_pk)
    zones = dict(
        Claim.objects.filter(pk__in=ids)
        .values_list("creditor_id", "creditor__time_zone")
        .distinct()
    )
    written = 0
    for creditor_id, tz in zones.items():
        written += claims_refresh_figures(
            claim_ids=Claim.objects.filter(
                pk__in=ids, creditor_id=creditor_id
            ).values_list("pk", flat=True),
            at=now.astimezone(ZoneInfo(tz)).date(),
        )
    return StaleRefresh(len(ids), written, ids[-1])
