"""Money coming in from the bank: statement import, matching queue, declared payments.

Parsing and matching are pure (``claims.money_in.formats``); this module loads the
index of open claims with a constant number of queries and books payments in
bulk, with the same effects as ``claims.ledger.services.payment_record`` (ledger row,
refreshed totals, timeline event) but set-based.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from claims.engine.collection import claims_after_payment
from claims.ledger import rules
from claims.ledger.bulk import insert_objects
from claims.ledger.rules import creditor_today
from claims.ledger.services import payment_record
from claims.ledger.timeline import amount as money
from claims.ledger.timeline import said
from claims.ledger.webhooks import webhook_emit_events
from claims.models import BankImport
from claims.models import BankLine
from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Event
from claims.models import Invoice
from claims.models import InvoiceKind
from claims.models import Payment
from claims.models import PaymentMethod
from claims.money_in.formats import BankEntry
from claims.money_in.formats import ParseError
from claims.money_in.formats import camt053
from claims.money_in.formats import coda
from claims.money_in.matching import MATCHED
from claims.money_in.matching import UNMATCHED
from claims.money_in.matching import ClaimIndex
from claims.money_in.matching import Decision
from claims.money_in.matching import LineToMatch
from claims.money_in.matching import match_lines

logger = logging.getLogger(__name__)
_MONEY = DecimalField(max_digits=14, decimal_places=2)
_CHUNK = 5000
# BankLine.amount is DecimalField(max_digits=14, decimal_places=2).
_LINE_MAX = Decimal(10**12)


@dataclass(frozen=True)
class Booking:
    """One payment to book on one claim (built from a matched bank line)."""

    claim_id: int
    amount: Decimal
    on: date
    reference: str = ""
    payer_iban: str = ""
    idempotency_key: str | None = None
    match_reason: str = ""
    method: str = PaymentMethod.TRANSFER


@dataclass
class ImportResult:
    bank_import: BankImport | None
    total: int = 0
    matched: int = 0
    queued: int = 0
    duplicates: int = 0
    skipped: list[tuple[BankEntry, str]] = field(default_factory=list)


def parse_statement(*, data: bytes, filename: str = "") -> tuple[str, list[BankEntry]]:
    """Detect the format (XML → CAMT.053, otherwise CODA) and parse the file."""
    head = data.lstrip()[:5]
    if head.startswith((b"<", b"\xef\xbb\xbf<")):
        return BankImport.Format.CAMT053, camt053.parse(data)
    if head.startswith(b"0"):
        return BankImport.Format.CODA, coda.parse(data)
    raise ParseError(
        "Format non reconnu : attendu un relevé CAMT.053 (XML) ou CODA.", filename
    )


def claim_index_load(*, creditor: Creditor) -> ClaimIndex:
    """Index of the creditor's open claims in 4 queries (values, no instances)."""
    index = ClaimIndex()
    open_claims = Claim.objects.filter(creditor=creditor, status=Claim.Status.OPEN)
    by_debtor: dict[int, list[tuple[int, Decimal]]] = {}
    # 1. open claims: OGM, reference, amounts per debtor — the statement's
    # total due, or what remains of the invoices (a debtor often pays those)
    for pk, ogm, ref, debtor_id, balance, due_principal in open_claims.values_list(
        "pk",
        "structured_reference",
        "reference",
        "debtor_id",
        "balance",
        "due_principal",
    ).iterator(chunk_size=_CHUNK):
        if ogm.startswith("+++"):
            index.add_ogm(ogm, pk)
        elif ogm:
            index.add_reference(ogm, pk)
        index.add_reference(ref, pk)
        amounts = by_debtor.setdefault(debtor_id, [])
        amounts += [(pk, a) for a in {balance, due_principal} if a > 0]
    # 2. invoice numbers of open claims
    for claim_id, number in (
        Invoice.objects.filter(creditor=creditor, claim__status=Claim.Status.OPEN)
        .values_list("claim_id", "number")
        .iterator(chunk_size=_CHUNK)
    ):
        index.add_reference(number, claim_id)
    # 3. IBANs debtors already paid from, 4. the IBAN on the debtor's record
    paid_from = (
        Payment.objects.filter(creditor=creditor)
        .exclude(payer_iban="")
        .values_list("payer_iban", "claim__debtor_id")
        .distinct()
    )
    on_record = (
        (
            Debtor.objects.filter(creditor=creditor, pk__in=list(by_debtor))
            .exclude(iban="")
            .values_list("iban", "pk")
        )
        if by_debtor
        else []
    )
    for iban, debtor_id in {*paid_from, *on_record}:
        for pk, balance in by_debtor.get(debtor_id, []):
            index.add_iban_amount(iban, balance, pk)
    return index


@transaction.atomic
def payments_book_bulk(
    *,
    creditor: Creditor,
    bookings: list[Booking],
    actor: AbstractBaseUser | None = None,
    today: date | None = None,
) -> list[Payment]:
    """Book many payments at once: ledger rows, totals, events, engine hook.

    Same effects as ``payment_record`` for each booking, with a constant number
    of queries: claims locked in one SELECT … FOR UPDATE, payments and events
    bulk-inserted, cached totals refreshed by one UPDATE from an aggregate.
    """
    if not bookings:
        return []
    ids = sorted({b.claim_id for b in bookings})
    claims = {
        c.pk: c
        for c in Claim.objects.select_for_update()
        .filter(creditor=creditor, pk__in=ids)
        .order_by("pk")
        .only("pk", "currency", "balance", "creditor_id")
    }
    if len(claims) != len(ids):
        raise ValidationError(_("Créance inconnue pour ce créancier."))
    _bookings_check(bookings, today=today or creditor_today(creditor))
    user = actor if actor is not None and actor.is_authenticated else None
    payments = [
        Payment(
            creditor=creditor,
            claim_id=b.claim_id,
            amount=b.amount,
            date=b.on,
            method=b.method,
            reference=b.reference[:140],
            payer_iban=b.payer_iban[:34],
            idempotency_key=b.idempotency_key,
            match_reason=b.match_reason[:200],
            currency=claims[b.claim_id].currency,
            created_by=user,
        )
        for b in bookings
        if b.amount > 0
    ]
    if len(payments) != len(bookings):
        raise ValidationError(_("Le montant d'un paiement doit être positif."))
    insert_objects(payments)  # COPY on PostgreSQL (claims.ledger.bulk)
    claims_refresh_paid(claim_ids=ids)
    running = {pk: c.balance for pk, c in claims.items()}
    # The balance after a claim's last booking is the refreshed statement's.
    after = dict(Claim.objects.filter(pk__in=ids).values_list("pk", "balance"))
    last = {b.claim_id: i for i, b in enumerate(bookings)}
    label = user.get_username() if user is not None else "banque"
    events = []
    for i, b in enumerate(bookings):
        before = running[b.claim_id]
        running[b.claim_id] = (
            after[b.claim_id] if last[b.claim_id] == i else before - b.amount
        )
        events.append(
            Event(
                creditor=creditor,
                claim_id=b.claim_id,
                kind=Event.Kind.PAYMENT,
                actor=user,
                actor_label=label,
                message=said(
                    gettext_noop("Paiement de %(a)s reçu le %(d)s (%(r)s)"),
                    a=money(b.amount, claims[b.claim_id].currency),
                    d=b.on,
                    r=b.match_reason,
                ),
                data={
                    "amount": str(b.amount),
                    "balance_before": str(before),
                    "balance_after": str(running[b.claim_id]),
                    "match_reason": b.match_reason,
                },
            )
        )
    insert_objects(events)
    webhook_emit_events(events)
    _after_payment(claim_ids=ids, today=today or timezone.localdate())
    return payments


def claims_refresh_paid(*, claim_ids: list[int]) -> int:
    """Store the statement's figures of the claims after a booking (set-based)."""
    from claims.ledger.services import claims_refresh_figures

    return claims_refresh_figures(claim_ids=claim_ids)


def _after_payment(*, claim_ids: list[int], today: date) -> None:
    """Wake the engine: close the claims whose balance reached 0 (set-based)."""
    claims_after_payment(claim_ids=claim_ids, today=today)


@transaction.atomic
def bank_statement_import(
    *,
    creditor: Creditor,
    data: bytes,
    filename: str,
    actor: AbstractBaseUser | None = None,
    today: date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """Import a CAMT.053 or CODA statement: match, book, queue the rest.

    A malformed file raises ParseError and writes nothing. Lines already
    imported (same idempotency key) are counted as duplicates and not booked
    again, so importing the same file twice books nothing twice.
    ``progress(phase, lines done, lines)`` is told when a phase starts
    (« match », « book »).
    """
    tell = progress or (lambda phase, done, total: None)
    fmt, entries = parse_statement(data=data, filename=filename)
    tell("match", 0, len(entries))
    result = ImportResult(bank_import=None)
    candidates: list[BankEntry] = []
    for entry in entries:
        if not entry.is_candidate:
            result.skipped.append((entry, entry.skip_reason))
        elif entry.currency and entry.currency != "EUR":
            result.skipped.append((entry, f"Devise étrangère ({entry.currency})"))
        elif not entry.amount.is_finite() or abs(entry.amount) >= _LINE_MAX:
            # Cannot even be kept in the queue: reported, never a 500.
            result.skipped.append((entry, f"Montant hors limites ({entry.amount})"))
        else:
            candidates.append(entry)
    seen = _existing_keys(
        creditor=creditor, keys=[e.idempotency_key for e in candidates]
    )
    fresh: dict[str, BankEntry] = {}
    for entry in candidates:
        if entry.idempotency_key in seen or entry.idempotency_key in fresh:
            result.duplicates += 1
        else:
            fresh[entry.idempotency_key] = entry
    bank_import = BankImport.objects.create(
        creditor=creditor,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        lines_total=len(fresh),
        lines_duplicate=result.duplicates,
        imported_by=actor if actor is not None and actor.is_authenticated else None,
    )
    result.bank_import = bank_import
    result.total = len(fresh)
    decisions = match_lines(
        [
            LineToMatch(
                key=e.idempotency_key,
                amount=e.amount,
                counterparty_iban=e.counterparty_iban,
                structured_reference=e.structured_reference,
                free_text=e.free_text,
            )
            for e in fresh.values()
        ],
        claim_index_load(creditor=creditor),
    )
    decisions = _apply_ledger_rules(decisions, fresh, creditor=creditor, today=today)
    tell("book", 0, len(fresh))
    bookings = [
        _booking(fresh[d.key], d.claim_id, d.reason, creditor.pk)
        for d in decisions
        if d.status == MATCHED and d.claim_id is not None
    ]
    payments = payments_book_bulk(
        creditor=creditor, bookings=bookings, actor=actor, today=today
    )
    payment_by_key = {p.idempotency_key: p for p in payments}
    lines = [
        _bank_line(creditor, bank_import, fresh[d.key], d, payment_by_key)
        for d in decisions
    ]
    insert_objects(lines)
    result.matched = len(bookings)
    result.queued = len(lines) - len(bookings)
    BankImport.objects.filter(pk=bank_import.pk).update(lines_matched=result.matched)
    bank_import.lines_matched = result.matched
    return result


def _first_invoice_dates(claim_ids: set[int]) -> dict[int, date]:
    """Issue date of each claim's first invoice (credit notes aside), one query."""
    return dict(
        Invoice.objects.filter(claim_id__in=claim_ids)
        .exclude(kind=InvoiceKind.CREDIT_NOTE)
        .values("claim_id")
        .annotate(first=Min("issue_date"))
        .values_list("claim_id", "first")
    )


def _bookings_check(bookings: list[Booking], *, today: date) -> None:
    """The ledger rules on every booking (one query); refuses the whole batch."""
    first = _first_invoice_dates({b.claim_id for b in bookings})
    for b in bookings:
        rules.money_amount(b.amount)
        rules.payment_date(
            on=b.on, today=today, first_invoice_date=first.get(b.claim_id)
        )


def _apply_ledger_rules(
    decisions: list[Decision],
    entries: dict[str, BankEntry],
    *,
    creditor: Creditor,
    today: date | None,
) -> list[Decision]:
    """Send to the queue, with the rule's message as reason, every line whose
    amount or date the ledger refuses (claims.ledger.rules): a payment not in the
    future nor before the first invoice of the claim it matched."""
    today = today or creditor_today(creditor)
    matched = {d.claim_id for d in decisions if d.status == MATCHED and d.claim_id}
    first = _first_invoice_dates(matched)
    out: list[Decision] = []
    for d in decisions:
        entry = entries[d.key]
        try:
            rules.money_amount(entry.amount)
            if d.status == MATCHED and d.claim_id is not None:
                rules.payment_date(
                    on=entry.value_date or entry.booking_date,
                    today=today,
                    first_invoice_date=first.get(d.claim_id),
                )
        except ValidationError as exc:
            reason = " ".join(exc.messages)
            d = replace(d, status=UNMATCHED, reason=reason[:200])
        out.append(d)
    return out


def _existing_keys(*, creditor: Creditor, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        found.update(
            BankLine.objects.filter(
                creditor=creditor, idempotency_key__in=keys[start : start + _CHUNK]
            ).values_list("idempotency_key", flat=True)
        )
    return found


def _payment_key(creditor_id: int, entry_key: str) -> str:
    return f"bank:{creditor_id}:{entry_key}"


def _booking(entry: BankEntry, claim_id: int, reason: str, creditor_id: int) -> Booking:
    return Booking(
        claim_id=claim_id,
        amount=entry.amount,
        on=entry.value_date or entry.booking_date,
        reference=(entry.structured_reference or entry.free_text)[:140],
        payer_iban=entry.counterparty_iban,
        idempotency_key=_payment_key(creditor_id, entry.idempotency_key),
        match_reason=reason,
    )


def _bank_line(
    creditor: Creditor,
    bank_import: BankImport,
    entry: BankEntry,
    decision: object,
    payments: dict[str | None, Payment],
) -> BankLine:
    payment = payments.get(_payment_key(creditor.pk, entry.idempotency_key))
    candidates = list(getattr(decision, "candidates", ()))
    reason = getattr(decision, "reason", "")
    if candidates:
        reason = f"{reason} — candidates : {','.join(map(str, candidates))}"
    return BankLine(
        creditor=creditor,
        bank_import=bank_import,
        idempotency_key=entry.idempotency_key,
        booking_date=entry.booking_date,
        value_date=entry.value_date,
        amount=entry.amount,
        currency=entry.currency or "EUR",
        counterparty_name=entry.counterparty_name[:200],
        counterparty_iban=entry.counterparty_iban[:34],
        structured_reference=entry.structured_reference[:40],
        free_text=entry.free_text,
        status=getattr(decision, "status", BankLine.Status.UNMATCHED),
        claim_id=payment.claim_id if payment is not None else None,
        payment=payment,
        match_reason=reason[:200],
    )


def bank_line_candidates(line: BankLine) -> list[int]:
    """Claim ids suggested for an ambiguous line (kept in its match reason)."""
    _, _, tail = line.match_reason.partition("candidates : ")
    return [int(x) for x in tail.split(",") if x.strip().isdigit()]


@transaction.atomic
def bank_line_match(
    *, line: BankLine, claim: Claim, actor: AbstractBaseUser | None = None
) -> Payment:
    """Book a queued line on the claim a person chose (the two-click match)."""
    if claim.creditor_id != line.creditor_id:
        raise ValidationError(_("Créance d'un autre créancier."))
    won = BankLine.objects.filter(
        pk=line.pk,
        status__in=[BankLine.Status.UNMATCHED, BankLine.Status.AMBIGUOUS],
    ).update(status=BankLine.Status.MATCHED, claim=claim)
    if won != 1:
        raise ValidationError(_("Cette ligne a déjà été traitée."))
    payment = payment_record(
        claim=claim,
        amount=line.amount,
        on=line.value_date or line.booking_date,
        reference=(line.structured_reference or line.free_text)[:140],
        payer_iban=line.counterparty_iban,
        actor=actor,
        idempotency_key=_payment_key(line.creditor_id, line.idempotency_key),
        match_reason="Rapprochement manuel",
    )
    BankLine.objects.filter(pk=line.pk).update(
        payment=payment, match_reason="Rapprochement manuel"
    )
    line.status, line.claim, line.payment = BankLine.Status.MATCHED, claim, payment
    _after_payment(claim_ids=[claim.pk], today=timezone.localdate())
    return payment


def bank_line_ignore(*, line: BankLine, reason: str = "") -> bool:
    """Take a line out of the queue; False when it was already handled."""
    return (
        BankLine.objects.filter(
            pk=line.pk,
            status__in=[BankLine.Status.UNMATCHED, BankLine.Status.AMBIGUOUS],
        ).update(status=BankLine.Status.IGNORED, match_reason=reason[:200] or "Ignorée")
        == 1
    )
