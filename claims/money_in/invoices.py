"""Invoices in: CSV (mapped columns) and UBL/Peppol, previewed then imported whole.

The preview reports every problem per row; the import refuses to write
anything while one remains (all-or-nothing, in one transaction). Claims are
created in bulk — one claim per invoice — with the same fields ``claim_open``
sets, so 100,000 rows import in a constant number of queries per batch.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from claims.engine.collection import claims_after_open
from claims.ledger import rules as ledger_rules
from claims.ledger.bulk import insert_objects
from claims.ledger.bulk import insert_rows
from claims.ledger.bulk import insert_rows_returning_ids
from claims.ledger.rules import creditor_today
from claims.ledger.timeline import amount as amount_param
from claims.ledger.timeline import said
from claims.ledger.validators import ogm_from_number
from claims.ledger.webhooks import webhook_emit_events
from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Event
from claims.models import ImportMapping
from claims.models import Invoice
from claims.models import InvoiceKind
from claims.money_in.formats import csvfile
from claims.money_in.formats.csvfile import InvoiceRow
from claims.money_in.matching import normalize_reference

logger = logging.getLogger(__name__)
_CHUNK = 5000


@dataclass
class Preview:
    rows: list[InvoiceRow]
    errors: dict[int, list[str]] = field(default_factory=dict)
    new_debtors: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(ValidationError):
    """The file still has errors: nothing was imported."""


def import_mapping_get(*, creditor: Creditor, kind: str = "invoices") -> dict[str, str]:
    row = ImportMapping.objects.filter(creditor=creditor, kind=kind).first()
    return dict(row.mapping) if row is not None else {}


def import_mapping_save(
    *, creditor: Creditor, mapping: dict[str, str], kind: str = "invoices"
) -> None:
    """Remember the column mapping for the creditor's next import."""
    clean = {k: v for k, v in mapping.items() if k in csvfile.FIELDS and v}
    ImportMapping.objects.update_or_create(
        creditor=creditor,
        kind=kind,
        defaults={"mapping": clean, "updated_at": timezone.now()},
    )


def _debtor_index(creditor: Creditor) -> tuple[dict[str, int], dict[str, int]]:
    by_number: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for pk, name, ent, vat, cust in Debtor.objects.filter(
        creditor=creditor
    ).values_list("pk", "name", "enterprise_number", "vat_number", "customer_number"):
        for number in (ent, vat, cust):
            key = normalize_reference(number)
            if key:
                by_number.setdefault(key, pk)
                # a VAT number is the enterprise number with the country prefix
                by_number.setdefault(key.lstrip("BEFR"), pk)
        by_name.setdefault(name.strip().lower(), pk)
    return by_number, by_name


def _find_debtor(
    row: InvoiceRow, by_number: dict[str, int], by_name: dict[str, int]
) -> int | None:
    number = normalize_reference(row.debtor_number)
    if number and (number in by_number or number.lstrip("BEFR") in by_number):
        return by_number.get(number) or by_number[number.lstrip("BEFR")]
    if row.debtor_name:
        return by_name.get(row.debtor_name.strip().lower())
    return None


def invoices_preview(
    *, creditor: Creditor, rows: list[InvoiceRow], errors: dict[int, list[str]]
) -> Preview:
    """Add the checks that need the database: unknown debtor, number already used."""
    preview = Preview(rows=rows, errors={k: list(v) for k, v in errors.items()})
    by_number, by_name = _debtor_index(creditor)
    existing: set[str] = set()
    numbers = [r.invoice_number for r in rows]
    for start in range(0, len(numbers), _CHUNK):
        existing.update(
            Invoice.objects.filter(
                creditor=creditor,
                kind=InvoiceKind.INVOICE,
                number__in=numbers[start : start + _CHUNK],
            ).values_list("number", flat=True)
        )
    new: set[str] = set()
    # The rate coverage depends on the due date only: checked once per date.
    coverage: dict[date, list[str]] = {}
    for row in rows:
        refused = coverage.get(row.due_date)
        if refused is None:
            refused = coverage[row.due_date] = []
            _refuse_uncovered(refused, creditor, row.due_date)
        if refused:
            preview.errors.setdefault(row.line, []).extend(refused)
        if row.invoice_number in existing:
            preview.errors.setdefault(row.line, []).append(
                _("La facture %(n)s a déjà été importée.") % {"n": row.invoice_number}
            )
        if _find_debtor(row, by_number, by_name) is None:
            if not row.debtor_name:
                preview.errors.setdefault(row.line, []).append(
                    _("Débiteur inconnu : %(n)s (ajoutez son nom pour le créer).")
                    % {"n": row.debtor_number}
                )
            else:
                new.add(row.debtor_name.strip().lower())
    preview.new_debtors = len(new)
    return preview


def _refuse_uncovered(errors: list[str], creditor: Creditor, due: date) -> None:
    """Refuse an invoice whose interest would need a rate older than the tables."""
    from claims.ledger.statements import rate_coverage_error

    problem = rate_coverage_error(
        country=creditor.country,
        debtor_kind=None,
        due_date=due,
        contract_rate=creditor.contract_rate,
    )
    if problem:
        errors.append(problem)


def invoices_csv_preview(
    *, creditor: Creditor, data: bytes, mapping: dict[str, str]
) -> Preview:
    """Parse the CSV with ``mapping`` and check every row (ParseError if unreadable)."""
    parsed = csvfile.parse(data, mapping, today=creditor_today(creditor))
    return invoices_preview(creditor=creditor, rows=parsed.rows, errors=parsed.errors)


@transaction.atomic
def invoices_csv_import(
    *,
    creditor: Creditor,
    data: bytes,
    mapping: dict[str, str],
    actor: AbstractBaseUser | None = None,
    today: date | None = None,
) -> list[int]:
    """Import every row or none: raises ImportRefused while any row has an error."""
    preview = invoices_csv_preview(creditor=creditor, data=data, mapping=mapping)
    if not preview.ok:
        raise ImportRefused(
            _("%(n)s ligne(s) en erreur : rien n'a été importé.")
            % {"n": len(preview.errors)}
        )
    import_mapping_save(creditor=creditor, mapping=mapping)
    return claims_create_bulk(
        creditor=creditor, rows=preview.rows, actor=actor, source="csv", today=today
    )


def _reserve_ogms(creditor: Creditor, count: int) -> list[str]:
    """Reserve ``count`` structured communications at once (same scheme as
    ``claims.ledger.services.structured_reference_next``), under the creditor's row lock."""
    start = (
        Creditor.objects.select_for_update()
        .values_list("ogm_sequence", flat=True)
        .get(pk=creditor.pk)
    )
    Creditor.objects.filter(pk=creditor.pk).update(
        ogm_sequence=F("ogm_sequence") + count
    )
    prefix = (creditor.pk % 10_000) * 1_000_000
    return [
        ogm_from_number(prefix + (start + i) % 1_000_000) for i in range(1, count + 1)
    ]


def _new_debtors(creditor: Creditor, rows: list[InvoiceRow]) -> dict[int, int]:
    """Debtor id per row line; unknown debtors are created in bulk."""
    by_number, by_name = _debtor_index(creditor)
    found: dict[int, int] = {}
    to_create: dict[str, Debtor] = {}
    for row in rows:
        pk = _find_debtor(row, by_number, by_name)
        if pk is not None:
            found[row.line] = pk
            continue
        key = row.debtor_name.strip().lower()
        if key not in to_create:
            number = row.debtor_number
            to_create[key] = Debtor(
                creditor=creditor,
                name=row.debtor_name,
                email=row.debtor_email,
                iban=row.debtor_iban,
                vat_number=number if number[:2].isalpha() else "",
                customer_number="" if number[:2].isalpha() else number,
                address_line1=row.debtor_address,
                postal_code=row.debtor_postal_code,
                city=row.debtor_city,
                country=creditor.country,
            )
    insert_objects(list(to_create.values()))  # COPY on PostgreSQL
    for row in rows:
        if row.line not in found:
            found[row.line] = to_create[row.debtor_name.strip().lower()].pk
    return found


class _Opened(NamedTuple):
    """What the webhook outbox reads of a CREATED event written by COPY."""

    creditor_id: int
    claim_id: int
    kind: str
    message: str
    data: dict


def claims_create_bulk(
    *,
    creditor: Creditor,
    rows: list[InvoiceRow],
    actor: AbstractBaseUser | None = None,
    source: str = "csv",
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """One claim per invoice row, with its invoice and its CREATED event, in bulk.

    Rows go in batches of ``_CHUNK``: per batch a constant number of
    statements (the claims, invoices and events as plain rows written by
    PostgreSQL COPY, the figures of the batch's claims computed together);
    ``progress`` is told the number of rows written after each batch."""
    if not rows:
        return []
    debtor_of = _new_debtors(creditor, rows)
    ogms = _reserve_ogms(creditor, len(rows))
    user = actor if actor is not None and actor.is_authenticated else None
    label = user.get_username() if user else "import"
    belgian = creditor.country == "BE"
    day = today or timezone.localdate()
    ids: list[int] = []
    for start in range(0, len(rows), _CHUNK):
        batch = rows[start : start + _CHUNK]
        now = timezone.now()
        claim_rows = []
        for row, ogm in zip(batch, ogms[start : start + _CHUNK], strict=True):
            reference = f"C-{ogm[3:6]}{ogm[7:11]}{ogm[12:17]}"
            claim_rows.append(
                {
                    "code": uuid.uuid4(),
                    "creditor_id": creditor.pk,
                    "debtor_id": debtor_of[row.line],
                    "reference": reference,
                    "structured_reference": ogm if belgian else f"RF-{reference}",
                    "currency": row.currency,
                    "principal": row.amount,
                    "balance": row.amount,
                    "oldest_due_date": row.due_date,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        claim_ids = insert_rows_returning_ids(Claim, claim_rows)
        insert_rows(
            Invoice,
            [
                {
                    "code": uuid.uuid4(),
                    "creditor_id": creditor.pk,
                    "claim_id": claim_id,
                    "number": row.invoice_number,
                    "issue_date": row.issue_date,
                    "due_date": row.due_date,
                    "amount": row.amount,
                    "vat_amount": row.vat_amount,
                    "currency": row.currency,
                    "description": row.description,
                    "source": source,
                    "created_at": now,
                }
                for claim_id, row in zip(claim_ids, batch, strict=True)
            ],
        )
        opened = []
        for claim_id, row in zip(claim_ids, batch, strict=True):
            message = said(
                gettext_noop("Créance ouverte par import %(s)s : facture %(n)s, %(a)s"),
                s=source,
                n=row.invoice_number,
                a=amount_param(row.amount, row.currency),
            )
            opened.append(
                _Opened(
                    creditor.pk,
                    claim_id,
                    Event.Kind.CREATED,
                    str(message)[:500],
                    {
                        "invoices": [row.invoice_number],
                        "source": source,
                        **message.stored(),
                    },
                )
            )
        insert_rows(
            Event,
            [
                {
                    "creditor_id": e.creditor_id,
                    "claim_id": e.claim_id,
                    "at": now,
                    "actor_id": user.pk if user else None,
                    "actor_label": label,
                    "kind": e.kind,
                    "message": e.message,
                    "data": e.data,
                }
                for e in opened
            ],
        )
        webhook_emit_events(opened, {Event.Kind.CREATED: "claim.opened"})
        from claims.ledger.services import claims_refresh_figures

        claims_refresh_figures(claim_ids=claim_ids)  # the statement's figures, stored
        _after_open(claim_ids=claim_ids, today=day)
        ids += claim_ids
        if progress is not None:
            progress(len(ids))
    return ids


def _after_open(*, claim_ids: list[int], today: date) -> None:
    """Wake the engine: plan the scenario of the new claims (set-based)."""
    claims_after_open(claim_ids=claim_ids, today=today)


def money(value: str) -> Decimal:
    return csvfile.parse_amount(value)


# --- UBL / Peppol -----------------------------------------------------------

DEFAULT_TERM_DAYS = 30  # legal-brief: BE/FR B2B default term when none is agreed


@dataclass
class UblItem:
    filename: str
    document: object | None = None
    errors: list[str] = field(default_factory=list)


def ubl_preview(*, creditor: Creditor, files: list[tuple[str, bytes]]) -> list[UblItem]:
    """Parse each file and check it against the creditor's data (no write)."""
    from claims.money_in.formats import ParseError
    from claims.money_in.formats import ubl

    items: list[UblItem] = []
    docs = []
    for name, data in files:
        item = UblItem(filename=name)
        try:
            item.document = ubl.parse(data)
            docs.append(item)
        except ParseError as exc:
            item.errors.append(str(exc))
        items.append(item)
    numbers = [i.document.number for i in docs]  # type: ignore[union-attr]
    credited = [i.document.credited_number for i in docs if i.document.credited_number]  # type: ignore[union-attr]
    existing = set(
        Invoice.objects.filter(
            creditor=creditor, number__in=numbers + credited
        ).values_list("kind", "number")
    )
    in_batch = {
        i.document.number  # type: ignore[union-attr]
        for i in docs
        if not i.document.is_credit_note  # type: ignore[union-attr]
    }
    twice = Counter(
        (i.document.is_credit_note, i.document.number)  # type: ignore[union-attr]
        for i in docs
    )
    today = creditor_today(creditor)
    remaining = _ubl_remaining(creditor, docs, credited)
    for item in docs:
        doc = item.document
        kind = InvoiceKind.CREDIT_NOTE if doc.is_credit_note else InvoiceKind.INVOICE  # type: ignore[union-attr]
        if (kind, doc.number) in existing:  # type: ignore[union-attr]
            item.errors.append(f"Le document {doc.number} a déjà été importé.")  # type: ignore[union-attr]
        if twice[(doc.is_credit_note, doc.number)] > 1:  # type: ignore[union-attr]
            item.errors.append(
                f"Le document {doc.number} figure plusieurs fois dans cet envoi."  # type: ignore[union-attr]
            )
        if doc.amount <= 0 and not doc.is_credit_note:  # type: ignore[union-attr]
            item.errors.append(_("Rien à recouvrer : montant à payer nul."))
        else:
            item.errors.extend(_ubl_rules(doc, today))
        if not doc.is_credit_note:  # type: ignore[union-attr]
            due = doc.due_date or doc.issue_date + timedelta(days=DEFAULT_TERM_DAYS)  # type: ignore[union-attr]
            _refuse_uncovered(item.errors, creditor, due)
        if doc.is_credit_note:  # type: ignore[union-attr]
            ref = doc.credited_number  # type: ignore[union-attr]
            if not ref:
                item.errors.append(
                    _(
                        "Note de crédit sans référence à la facture d'origine (BillingReference)."
                    )
                )
            elif (InvoiceKind.INVOICE, ref) not in existing and ref not in in_batch:
                item.errors.append(f"Facture d'origine {ref} inconnue.")
            elif ref in remaining and doc.amount > 0:  # type: ignore[union-attr]
                try:
                    ledger_rules.credit_note_amount(
                        amount=doc.amount,  # type: ignore[union-attr]
                        remaining=remaining[ref],
                        on_invoice=ref,
                    )
                except ValidationError as exc:
                    item.errors.extend(exc.messages)
                remaining[ref] -= doc.amount  # type: ignore[union-attr]
    return items


def _ubl_due(doc: object) -> date:
    from datetime import timedelta

    return doc.due_date or doc.issue_date + timedelta(days=DEFAULT_TERM_DAYS)  # type: ignore[attr-defined]


def _ubl_rules(doc: object, today: date) -> list[str]:
    """The ledger rules (claims.ledger.rules) on one UBL document, as messages."""
    errors: list[str] = []
    amounts = [doc.amount]  # type: ignore[attr-defined]
    if doc.vat_amount > 0:  # type: ignore[attr-defined]
        amounts.append(doc.vat_amount)  # type: ignore[attr-defined]
    for value in amounts:
        try:
            ledger_rules.money_amount(value)
        except ValidationError as exc:
            errors.extend(exc.messages)
    try:
        ledger_rules.invoice_dates(
            issue_date=doc.issue_date,  # type: ignore[attr-defined]
            due_date=doc.issue_date if doc.is_credit_note else _ubl_due(doc),  # type: ignore[attr-defined]
            today=today,
        )
    except ValidationError as exc:
        errors.extend(exc.messages)
    return errors


def _ubl_remaining(
    creditor: Creditor, docs: list[UblItem], credited: list[str]
) -> dict[str, Decimal]:
    """What remains invoiced on each credited invoice (stored or in the batch)."""
    from claims.ledger.services import remaining_invoiced

    remaining: dict[str, Decimal] = {}
    for invoice in Invoice.objects.filter(
        creditor=creditor, kind=InvoiceKind.INVOICE, number__in=credited
    ):
        remaining[invoice.number] = remaining_invoiced(
            claim=invoice.claim, invoice=invoice
        )
    for item in docs:
        doc = item.document
        if not doc.is_credit_note and doc.number not in remaining:  # type: ignore[union-attr]
            remaining[doc.number] = doc.amount  # type: ignore[union-attr]
    return remaining


@transaction.atomic
def ubl_import(
    *,
    creditor: Creditor,
    files: list[tuple[str, bytes]],
    actor: AbstractBaseUser | None = None,
) -> list[Claim]:
    """Import invoices (one claim each) then credit notes (reducing their claim).

    All-or-nothing: raises ImportRefused when any file has an error.
    """
    items = ubl_preview(creditor=creditor, files=files)
    bad = [f"{i.filename} : {'; '.join(i.errors)}" for i in items if i.errors]
    if bad:
        raise ImportRefused(bad)
    ordered = sorted(items, key=lambda i: i.document.is_credit_note)  # type: ignore[union-attr]
    claims: list[Claim] = []
    for item in ordered:
        doc = item.document
        try:
            if doc.is_credit_note:  # type: ignore[union-attr]
                claims.append(_ubl_credit_note(creditor=creditor, doc=doc, actor=actor))
            else:
                claims.append(_ubl_invoice(creditor=creditor, doc=doc, actor=actor))
        except ValidationError as exc:
            # A rule only the service can check: nothing of the batch is kept.
            raise ImportRefused(
                [f"{item.filename} : {'; '.join(exc.messages)}"]
            ) from None
    return claims


def _ubl_debtor(creditor: Creditor, doc: object) -> Debtor:
    from claims.money_in.formats.csvfile import InvoiceRow

    buyer = doc.buyer  # type: ignore[attr-defined]
    probe = InvoiceRow(
        line=0,
        debtor_name=buyer.name,
        debtor_number=buyer.vat_number or buyer.enterprise_number,
        debtor_email="",
        debtor_iban="",
        debtor_address="",
        debtor_postal_code="",
        debtor_city="",
        invoice_number="",
        issue_date=doc.issue_date,
        due_date=doc.issue_date,  # type: ignore[attr-defined]
        amount=Decimal(0),
        vat_amount=Decimal(0),
        currency="",
        description="",
    )
    pk = _find_debtor(probe, *_debtor_index(creditor))
    if pk is not None:
        return Debtor.objects.get(pk=pk)
    from claims.ledger.services import debtor_save

    debtor = Debtor(
        creditor=creditor,
        name=buyer.name,
        email=buyer.email,
        address_line1=buyer.street,
        postal_code=buyer.postal_code,
        city=buyer.city,
        country=buyer.country if buyer.country in ("BE", "FR") else creditor.country,
    )
    try:
        debtor.vat_number = buyer.vat_number
        return debtor_save(debtor=debtor)
    except ValidationError:
        # An identifier the validators reject (foreign or test number) is kept
        # out rather than refusing the invoice; the name identifies the debtor.
        debtor.vat_number = ""
        debtor.enterprise_number = ""
        debtor.save()
        return debtor


def _ubl_invoice(
    *, creditor: Creditor, doc: object, actor: AbstractBaseUser | None
) -> Claim:

    from claims.ledger.services import InvoiceData
    from claims.ledger.services import claim_open
    from claims.ledger.validators import ogm_from_number

    due = _ubl_due(doc)
    claim = claim_open(
        creditor=creditor,
        debtor=_ubl_debtor(creditor, doc),
        invoices=[
            InvoiceData(
                number=doc.number,  # type: ignore[attr-defined]
                issue_date=doc.issue_date,  # type: ignore[attr-defined]
                due_date=due,
                amount=doc.amount,  # type: ignore[attr-defined]
                vat_amount=max(doc.vat_amount, Decimal("0.00")),  # type: ignore[attr-defined]
                currency=doc.currency,  # type: ignore[attr-defined]
                description=doc.payment_terms[:300],  # type: ignore[attr-defined]
            )
        ],
        actor=actor,
    )
    Invoice.objects.filter(claim=claim).update(source="ubl")
    ogm = doc.structured_reference  # type: ignore[attr-defined]
    if ogm and creditor.country == "BE":
        formatted = ogm_from_number(int(ogm[:10]))
        taken = Claim.objects.filter(
            creditor=creditor, structured_reference=formatted
        ).exists()
        if not taken:
            # The debtor will pay with the communication printed on the invoice.
            Claim.objects.filter(pk=claim.pk).update(structured_reference=formatted)
            claim.structured_reference = formatted
    return claim


def _ubl_credit_note(
    *, creditor: Creditor, doc: object, actor: AbstractBaseUser | None
) -> Claim:
    from claims.ledger.services import InvoiceData
    from claims.ledger.services import invoice_add

    original = Invoice.objects.select_related("claim").get(
        creditor=creditor,
        kind=InvoiceKind.INVOICE,
        number=doc.credited_number,  # type: ignore[attr-defined]
    )
    note = invoice_add(
        claim=original.claim,
        data=InvoiceData(
            number=doc.number,  # type: ignore[attr-defined]
            issue_date=doc.issue_date,  # type: ignore[attr-defined]
            due_date=doc.issue_date,  # type: ignore[attr-defined]
            amount=doc.amount,  # type: ignore[attr-defined]
            vat_amount=max(doc.vat_amount, Decimal("0.00")),  # type: ignore[attr-defined]
            kind=InvoiceKind.CREDIT_NOTE,
            currency=doc.currency,  # type: ignore[attr-defined]
            credited_invoice_id=original.pk,
        ),
        actor=actor,
    )
    Invoice.objects.filter(pk=note.pk).update(source="ubl")
    return original.claim
