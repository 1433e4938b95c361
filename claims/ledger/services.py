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
from django.db.models import DecimalField
from django.db.models import F
from django.db.models import Min
from django.db.models import Q
from django.db.models import Sum
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop

from claims.ledger import hooks
from claims.ledger import rules
from claims.ledger.timeline import Said
from claims.ledger.timeline import amount as money
from claims.ledger.timeline import choice
from claims.ledger.timeline import said
from claims.ledger.validators import ogm_from_number
from claims.ledger.webhooks import webhook_emit
from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Event
from claims.models import Invoice
from claims.models import InvoiceKind
from claims.models import Payment
from claims.models import PaymentMethod
from claims.models import Waiver

_MONEY = DecimalField(max_digits=14, decimal_places=2)
_ZERO = Value(Decimal("0.00"), output_field=_MONEY)


def _credit_note() -> Q:
    return Q(kind=InvoiceKind.CREDIT_NOTE)


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
    #: For a credit note: the invoice it credits (its amount is then capped by
    #: what remains invoiced on that invoice rather than on the whole claim).
    credited_invoice_id: int | None = None


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
        message=message if isinstance(message, Said) else message[:500],
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
    today: date | None = None,
) -> Claim:
    """Open a claim for ``debtor`` carrying ``invoices``; the scenario is planned later.

    Raises ``ValidationError`` (nothing written) when the debtor belongs to
    another creditor, an invoice is invalid or an invoice number is reused.
    The money and date rules of :mod:`claims.ledger.rules` apply; ``today``
    defaults to the creditor's local date.
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
    today = today or rules.creditor_today(creditor)
    for data in invoices:
        _invoice_create(claim=claim, data=data, today=today)
    claim_refresh_totals(claim=claim)
    event_record(
        claim=claim,
        kind=Event.Kind.CREATED,
        actor=actor,
        message=said(
            gettext_noop("Créance ouverte : %(n)s facture(s), %(a)s"),
            n=len(invoices),
            a=money(claim.principal, claim.currency),
        ),
        data={"invoices": [i.number for i in invoices]},
    )
    webhook_emit(claim=claim, event="claim.opened", principal=claim.principal)
    hooks.call("claim_opened", claim=claim)
    return claim


def _rule(field: str, check: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one ledger rule, its error attached to ``field``."""
    from django.core.exceptions import ValidationError

    try:
        return check(*args, **kwargs)
    except ValidationError as exc:
        raise rules.on_field(field, exc) from None


def remaining_invoiced(*, claim: Claim, invoice: Invoice | None = None) -> Decimal:
    """What remains invoiced on the claim (invoices − credit notes, reversals
    included), or on ``invoice`` (its amount − the credit notes against it)."""
    if invoice is not None:
        credited = Invoice.objects.filter(
            credited_invoice=invoice, kind=InvoiceKind.CREDIT_NOTE
        ).aggregate(t=Coalesce(Sum("amount"), _ZERO, output_field=_MONEY))["t"]
        return invoice.amount - credited
    totals = Invoice.objects.filter(claim=claim).aggregate(
        invoiced=Coalesce(
            Sum("amount", filter=~_credit_note()), _ZERO, output_field=_MONEY
        ),
        credited=Coalesce(
            Sum("amount", filter=_credit_note()), _ZERO, output_field=_MONEY
        ),
    )
    return totals["invoiced"] - totals["credited"]


def first_invoice_date(*, claim_id: int) -> date | None:
    """The issue date of the claim's first invoice (credit notes aside)."""
    return (
        Invoice.objects.filter(claim_id=claim_id)
        .exclude(kind=InvoiceKind.CREDIT_NOTE)
        .aggregate(first=Min("issue_date"))["first"]
    )


def payment_check(
    *,
    claim: Claim,
    amount: Any,
    on: date,
    today: date | None = None,
    field_on: str = "on",
    field_amount: str = "amount",
) -> Decimal:
    """The ledger rules for a payment on ``claim`` (recorded, imported from a bank
    statement or declared by the debtor): the amount in cents, or a
    ``ValidationError`` naming ``field_amount`` / ``field_on``."""
    value = _rule(field_amount, rules.money_amount, amount)
    rules.payment_date(
        on=on,
        today=today or rules.creditor_today(claim.creditor),
        first_invoice_date=first_invoice_date(claim_id=claim.pk),
        field=field_on,
    )
    return value


def _invoice_create(
    *, claim: Claim, data: InvoiceData, today: date | None = None
) -> Invoice:
    """Validate ``data`` against the ledger rules (nothing written if refused) and save."""
    from django.core.exceptions import ValidationError

    today = today or rules.creditor_today(claim.creditor)
    amount = _rule("amount", rules.money_amount, data.amount)
    rules.invoice_dates(issue_date=data.issue_date, due_date=data.due_date, today=today)
    credited = None
    if data.kind == InvoiceKind.CREDIT_NOTE:
        if data.credited_invoice_id is not None:
            credited = Invoice.objects.filter(
                pk=data.credited_invoice_id, claim_id=claim.pk
            ).first()
            if credited is None or credited.kind == InvoiceKind.CREDIT_NOTE:
                raise ValidationError(
                    {
                        "credited_invoice": ValidationError(
                            _("La facture créditée n'appartient pas à cette créance."),
                            code="credited_invoice_unknown",
                        )
                    }
                )
            rules.credit_note_amount(
                amount=amount,
                remaining=remaining_invoiced(claim=claim, invoice=credited),
                on_invoice=credited.number,
            )
        rules.credit_note_amount(
            amount=amount, remaining=remaining_invoiced(claim=claim)
        )
    invoice = Invoice(
        creditor_id=claim.creditor_id,
        claim=claim,
        kind=data.kind,
        number=data.number,
        issue_date=data.issue_date,
        due_date=data.due_date,
        delivery_date=data.delivery_date,
        amount=amount,
        vat_amount=data.vat_amount,
        description=data.description,
        currency=data.currency,
        credited_invoice=credited,
    )
    invoice.full_clean(exclude=["claim", "creditor", "credited_invoice", "reverses"])
    invoice.save()
    return invoice


@transaction.atomic
def invoice_add(
    *,
    claim: Claim,
    data: InvoiceData,
    actor: AbstractBaseUser | None = None,
    today: date | None = None,
) -> Invoice:
    """Add an invoice or a credit note to an open claim.

    The claim row is locked so two credit notes at once cannot both pass the
    "at most what remains invoiced" rule (claims.ledger.rules).
    """
    Claim.objects.select_for_update().only("pk").get(pk=claim.pk)
    invoice = _invoice_create(claim=claim, data=data, today=today)
    claim_refresh_totals(claim=claim)
    event_record(
        claim=claim,
        kind=Event.Kind.INVOICE_ADDED,
        actor=actor,
        message=said(
            gettext_noop("%(k)s %(n)s : %(a)s"),
            k=choice(invoice, "kind"),
            n=invoice.number,
            a=money(invoice.amount, invoice.currency),
        ),
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
    invoices, payments and waivers (claims.ledger.statements.claim_statements), the
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
    from claims.ledger.statements import claims_load_lean
    from claims.ledger.statements import creditor_today_of
    from claims.ledger.statements import lean_statement
    from claims.ledger.statements import rate_table

    table = rate_table()
    today_of: dict[str, date] = {}
    changed: list[tuple[Any, ...]] = []
    refreshed = 0
    now = timezone.now()
    for lean in claims_load_lean(ids):
        claim = lean.claim
        day = at
        if day is None:
            tz = lean.creditor.time_zone
            day = today_of.get(tz) or today_of.setdefault(tz, creditor_today_of(tz))
        if not_before is not None and day < not_before:
            day = not_before
        try:
            s = lean_statement(lean, day, table)
        except Exception as exc:  # one claim must not stop the others
            # Left with its previous figures; the claim page says why.
            expected = isinstance(exc, (MissingRateError, ValueError))
            logger.warning(
                "Statement of claim %s on %s failed: %r",
                claim.pk,
                day,
                exc,
                exc_info=not expected,
            )
            continue
        refreshed += 1
        figures = (
            max(s.principal, Decimal("0.00")),
            s.paid,
            s.total_due - s.credit,
            s.principal_due,
            s.interest_due,
            s.costs_due,
            day,
            min(
                (
                    i.due_date
                    for i in lean.invoices
                    if i.kind != InvoiceKind.CREDIT_NOTE
                ),
                default=None,
            ),
        )
        stored = (
            claim.principal,
            claim.paid,
            claim.balance,
            claim.due_principal,
            claim.due_interest,
            claim.due_costs,
            claim.figures_at,
            claim.oldest_due_date,
        )
        if figures != stored:  # an unchanged claim is not rewritten
            changed.append((claim.pk, *figures, now))
    _figures_write(changed)
    return refreshed


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


def _figures_write(rows: list[tuple[Any, ...]]) -> None:
    """One UPDATE for the batch: ``rows`` are (pk, *values of _FIGURE_CASTS).
    ``UPDATE … FROM unnest(arrays)`` on PostgreSQL (one parameter per column,
    whatever the batch's size; ``bulk_update``'s CASE WHEN is ten times
    slower), ``bulk_update`` elsewhere."""
    if not rows:
        return
    names = list(_FIGURE_CASTS)
    if connection.vendor != "postgresql":
        claims = []
        for pk, *values in rows:
            claim = Claim(pk=pk)
            for name, value in zip(names, values, strict=True):
                setattr(claim, name, value)
            claims.append(claim)
        Claim.objects.bulk_update(claims, names, batch_size=500)
        return
    meta = Claim._meta
    columns = [meta.get_field(n).column for n in names]
    sets = ", ".join(f'"{col}" = v."{col}"' for col in columns)
    arrays = ", ".join(f"%s::{_FIGURE_CASTS[n]}[]" for n in names)
    # Identifiers come from the model's meta; every value is a parameter.
    target = ", ".join(f'"{c}"' for c in columns)
    table = meta.db_table
    sql = (
        f'UPDATE "{table}" SET {sets} '  # noqa: S608
        f"FROM unnest(%s::bigint[], {arrays}) AS v(id, {target}) "
        f'WHERE "{table}"."id" = v.id'
    )
    params = [list(column) for column in zip(*rows, strict=True)]
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
    today: date | None = None,
) -> Payment:
    """Append a payment to the ledger and refresh the claim's cached totals.

    The claim row is locked first so that a collection run re-reading it
    under the same lock sees the payment (design.md: never after payment).
    Refused (``ValidationError``, nothing written) by the ledger rules: the
    amount (finite, positive, to the cent) and the date (not after ``today``
    — the creditor's — nor before the claim's first invoice).
    """
    amount = _rule("amount", rules.money_amount, amount)
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    payment_check(claim=locked, amount=amount, on=on, today=today)
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
        message=said(
            gettext_noop("Paiement de %(a)s reçu le %(d)s"),
            a=money(amount, locked.currency),
            d=on,
        ),
        data={
            "amount": str(amount),
            "balance_before": str(before),
            "balance_after": str(locked.balance),
        },
    )
    webhook_emit(
        claim=locked,
        event="payment.received",
        payment=payment.code,
        amount=amount,
        date=on,
        balance_after=locked.balance,
    )
    hooks.call("payment_recorded", claim=locked, actor=actor, today=on)
    claim.__dict__.update(
        {k: getattr(locked, k) for k in (*FIGURE_FIELDS, "status", "stage")}
    )
    return payment


def _already_reversed(kind: str) -> Any:
    from django.core.exceptions import ValidationError

    return ValidationError(
        _("Cette écriture (%(k)s) est déjà annulée.") % {"k": kind},
        code="already_reversed",
    )


def _not_a_reversal(kind: str) -> Any:
    from django.core.exceptions import ValidationError

    return ValidationError(
        _("Une annulation (%(k)s) ne s'annule pas : enregistrez une nouvelle écriture.")
        % {"k": kind},
        code="reversal_of_reversal",
    )


def _after_reversal(
    *, claim: Claim, actor: AbstractBaseUser | None, today: date
) -> None:
    """Refresh the stored totals, then let the engine re-open / re-plan."""
    claim_refresh_totals(claim=claim)
    hooks.call("payment_reversed", claim=claim, actor=actor, today=today)


def _reversal_book(
    *,
    claim: Claim,
    reversal: Any,
    before: Decimal,
    kind: str,
    actor: AbstractBaseUser | None,
    message: str,
    original: dict[str, Any],
    reason: str,
    today: date,
) -> Any:
    """The common tail of every reversal: the counter-entry saved, the stored
    figures refreshed, one event with the balance before and after, and the
    claim re-opened and re-planned when the cancelled entry had closed it."""
    if reversal.pk is None:  # a waiver's reversal is saved first: its pk is named
        reversal.save()
    claim_refresh_totals(claim=claim)
    event_record(
        claim=claim,
        kind=kind,
        actor=actor,
        message=message,
        data={
            **original,
            "reason": reason,
            "balance_before": str(before),
            "balance_after": str(claim.balance),
        },
    )
    _after_reversal(claim=claim, actor=actor, today=today)
    return reversal


@transaction.atomic
def payment_reverse(
    *,
    payment: Payment,
    reason: str,
    actor: AbstractBaseUser | None = None,
    today: date | None = None,
) -> Payment:
    """Cancel a payment with a reversing row (the original row is never touched).

    The reversal is a negative row linked to the original (``reverses``) with
    the original's value date: the money never arrived, so the statement is
    exactly what it would have been without it (when it was cancelled is in
    the row's ``created_at`` and the event). Refused when the payment is itself a reversal
    or was already reversed. A claim closed by that payment re-opens and its
    collection is re-planned (``claims.engine.collection.claim_after_reversal``).
    """
    reason = _rule("reason", rules.reason_required, reason)
    claim = Claim.objects.select_for_update().get(pk=payment.claim_id)
    label = _("paiement")
    if payment.reverses_id is not None or payment.amount < 0:
        raise _not_a_reversal(label)
    if Payment.objects.filter(reverses_id=payment.pk).exists():
        raise _already_reversed(label)
    today = today or rules.creditor_today(claim.creditor)
    before = claim.balance
    reversal = Payment(
        creditor_id=payment.creditor_id,
        claim_id=payment.claim_id,
        amount=-payment.amount,
        date=payment.date,
        method=payment.method,
        reference=f"Annulation : {reason}"[:140],
        reverses=payment,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        currency=payment.currency,
    )
    return _reversal_book(
        claim=claim,
        reversal=reversal,
        before=before,
        kind=Event.Kind.PAYMENT,
        actor=actor,
        message=said(
            gettext_noop("Paiement de %(a)s %(c)s du %(d)s annulé : %(r)s"),
            a=payment.amount,
            c=payment.currency,
            d=payment.date,
            r=reason,
        ),
        original={
            "reversed_payment": str(payment.code),
            "reversal": str(reversal.code),
        },
        reason=reason,
        today=today,
    )


@transaction.atomic
def credit_note_reverse(
    *,
    credit_note: Invoice,
    reason: str,
    actor: AbstractBaseUser | None = None,
    today: date | None = None,
) -> Invoice:
    """Cancel a credit note with a counter-entry: a negative credit-note row
    linked to it (``reverses``), with the original's dates. Sums over credit
    notes then net to zero and the statement leaves both out, as if the note
    had never been issued; the original row is never touched."""
    from django.core.exceptions import ValidationError

    reason = _rule("reason", rules.reason_required, reason)
    claim = Claim.objects.select_for_update().get(pk=credit_note.claim_id)
    label = _("note de crédit")
    if credit_note.kind != InvoiceKind.CREDIT_NOTE:
        raise ValidationError(
            _("Seule une note de crédit peut être annulée ainsi."),
            code="not_a_credit_note",
        )
    if credit_note.reverses_id is not None or credit_note.amount < 0:
        raise _not_a_reversal(label)
    if Invoice.objects.filter(reverses_id=credit_note.pk).exists():
        raise _already_reversed(label)
    today = today or rules.creditor_today(claim.creditor)
    before = claim.balance
    suffix = "-ANN"
    reversal = Invoice(
        creditor_id=credit_note.creditor_id,
        claim_id=credit_note.claim_id,
        kind=InvoiceKind.CREDIT_NOTE,
        number=credit_note.number[: 50 - len(suffix)] + suffix,
        issue_date=credit_note.issue_date,
        due_date=credit_note.due_date,
        amount=-credit_note.amount,
        vat_amount=-credit_note.vat_amount,
        currency=credit_note.currency,
        description=f"Annulation : {reason}"[:300],
        credited_invoice_id=credit_note.credited_invoice_id,
        source="reversal",
        reverses=credit_note,
    )
    return _reversal_book(
        claim=claim,
        reversal=reversal,
        before=before,
        kind=Event.Kind.INVOICE_ADDED,
        actor=actor,
        message=said(
            gettext_noop("Note de crédit %(n)s (%(a)s %(c)s) annulée : %(r)s"),
            n=credit_note.number,
            a=credit_note.amount,
            c=credit_note.currency,
            r=reason,
        ),
        original={
            "reversed_credit_note": str(credit_note.code),
            "reversal": str(reversal.code),
        },
        reason=reason,
        today=today,
    )


@transaction.atomic
def waiver_reverse(
    *,
    waiver: Waiver,
    reason: str,
    actor: AbstractBaseUser | None = None,
    today: date | None = None,
) -> Waiver:
    """Cancel a waiver with a counter-entry linked to it (``reverses``): from
    then on the statement charges the interest or fees again."""
    reason = _rule("reason", rules.reason_required, reason)
    claim = Claim.objects.select_for_update().get(pk=waiver.claim_id)
    label = _("renonciation")
    if waiver.reverses_id is not None:
        raise _not_a_reversal(label)
    if Waiver.objects.filter(reverses_id=waiver.pk).exists():
        raise _already_reversed(label)
    today = today or rules.creditor_today(claim.creditor)
    before = claim.balance
    reversal = Waiver(
        creditor_id=waiver.creditor_id,
        claim_id=waiver.claim_id,
        kind=waiver.kind,
        amount=waiver.amount,
        reason=f"Annulation : {reason}"[:300],
        reverses=waiver,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    reversal.save()  # its pk goes into the event
    return _reversal_book(
        claim=claim,
        reversal=reversal,
        before=before,
        kind=Event.Kind.WAIVER,
        actor=actor,
        message=said(
            gettext_noop("Renonciation (%(k)s) annulée : %(r)s"),
            k=choice(waiver, "kind"),
            r=reason,
        ),
        original={"reversed_waiver": waiver.pk, "reversal": reversal.pk},
        reason=reason,
        today=today,
    )


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
    waived what and why. A given amount follows the ledger's amount rule.
    """
    if amount is not None:
        amount = _rule("amount", rules.money_amount, amount)
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
        message=said(
            gettext_noop("Renonciation (%(k)s) : %(a)s — %(r)s"),
            k=choice(waiver, "kind"),
            a=money(amount, claim.currency)
            if amount is not None
            else gettext_lazy("totale"),
            r=reason,
        ),
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
