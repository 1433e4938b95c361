"""Writes that span models: open a claim, add invoices, record payments, log events.

Services are keyword-only and typed, validate with ``full_clean()`` before
saving, and write an :class:`~claims.models.Event` for every change to a claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import DecimalField
from django.db.models import F
from django.db.models import Min
from django.db.models import Sum
from django.db.models import Value
from django.db.models.functions import Coalesce
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

_MONEY = DecimalField(max_digits=14, decimal_places=2)
_ZERO = Value(Decimal("0.00"), output_field=_MONEY)


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


def claim_refresh_totals(*, claim: Claim) -> Claim:
    """Recompute the cached principal, paid, balance and oldest due date (2 queries)."""
    inv = Invoice.objects.filter(claim=claim).aggregate(
        invoiced=Coalesce(
            Sum("amount", filter=~_credit_note()), _ZERO, output_field=_MONEY
        ),
        credited=Coalesce(
            Sum("amount", filter=_credit_note()), _ZERO, output_field=_MONEY
        ),
        oldest=Min("due_date", filter=~_credit_note()),
    )
    paid = Payment.objects.filter(claim=claim).aggregate(
        total=Coalesce(Sum("amount"), _ZERO, output_field=_MONEY)
    )["total"]
    claim.principal = max(inv["invoiced"] - inv["credited"], Decimal("0.00"))
    claim.paid = paid
    claim.balance = claim.principal - paid
    claim.oldest_due_date = inv["oldest"]
    claim.updated_at = timezone.now()
    Claim.objects.filter(pk=claim.pk).update(
        principal=claim.principal,
        paid=claim.paid,
        balance=claim.balance,
        oldest_due_date=claim.oldest_due_date,
        updated_at=claim.updated_at,
    )
    return claim


def _credit_note() -> Any:
    from django.db.models import Q

    return Q(kind=InvoiceKind.CREDIT_NOTE)


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
    claim_refresh_totals(claim=locked)
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
        {
            k: getattr(locked, k)
            for k in ("principal", "paid", "balance", "status", "stage")
        }
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
    event_record(
        claim=claim,
        kind=Event.Kind.WAIVER,
        message=f"Renonciation ({waiver.get_kind_display()}) : "
        f"{amount if amount is not None else 'totale'} — {reason}",
        actor=actor,
        data={"kind": kind, "amount": str(amount) if amount is not None else None},
    )
    return waiver
