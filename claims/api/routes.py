"""Endpoints of the claims domain: debtors, claims, invoices, payments, statement.

Every lookup is scoped to the token's creditor: another creditor's id is a
404 problem, exactly like an unknown one. Writes call the services of
:mod:`claims.ledger.services` and are recorded in the audit trail with the token name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query
from ninja import Router
from ninja import Schema
from ninja import Status
from ninja.responses import codes_4xx
from pydantic import Field

from claims.api import schemas as s
from claims.api.auth import audit_write
from claims.api.auth import creditor_id
from claims.api.auth import require_write
from claims.api.pagination import MAX_LIMIT
from claims.api.pagination import paginate
from claims.api.problems import ApiProblem
from claims.api.problems import Problem
from claims.api.problems import not_found
from claims.engine.stages import hold_reason
from claims.ledger import services
from claims.ledger.statements import claim_statement
from claims.models import Action
from claims.models import Claim
from claims.models import Debtor
from claims.models import Dispute
from claims.models import Invoice
from claims.models import InvoiceKind
from claims.models import Payment
from claims.models import PaymentPlan
from claims.models import Stage

router = Router()

ERRORS: dict[Any, Any] = {codes_4xx: Problem, 422: Problem}


def _ok(schema: Any, status: int = 200) -> dict[Any, Any]:
    return {status: schema, **ERRORS}


def _get(qs: Any, request: HttpRequest, code: UUID) -> Any:
    obj = qs.filter(creditor_id=creditor_id(request), code=code).first()
    if obj is None:
        raise not_found()
    return obj


# --- serialisers -----------------------------------------------------------------


def debtor_out(d: Debtor) -> dict[str, Any]:
    return {
        "id": d.code,
        **{
            f: getattr(d, f)
            for f in (
                "name",
                "kind",
                "enterprise_number",
                "vat_number",
                "email",
                "language",
                "customer_number",
                "address_line1",
                "address_line2",
                "postal_code",
                "city",
                "country",
                "created_at",
            )
        },
    }


def invoice_out(i: Invoice, codes: dict[int, UUID] | None = None) -> dict[str, Any]:
    codes = codes or {}
    return {
        "id": i.code,
        "kind": i.kind,
        "number": i.number,
        "issue_date": i.issue_date,
        "due_date": i.due_date,
        "delivery_date": i.delivery_date,
        "amount": s.money(i.amount, i.currency),
        "vat_amount": s.money(i.vat_amount, i.currency),
        "description": i.description,
        "credited_invoice": codes.get(i.credited_invoice_id),  # type: ignore[arg-type]
        "reverses": codes.get(i.reverses_id),  # type: ignore[arg-type]
    }


def claim_out(c: Claim) -> dict[str, Any]:
    return {
        "id": c.code,
        "reference": c.reference,
        "structured_reference": c.structured_reference,
        "debtor": c.debtor.code,
        "debtor_name": c.debtor.name,
        "status": c.status,
        "stage": c.stage,
        "stage_entered_on": c.stage_entered_on,
        "currency": c.currency,
        # The stored figures, which the statement writes (one truth per claim).
        "principal": s.money(c.principal, c.currency),
        "paid": s.money(c.paid, c.currency),
        "balance": s.money(c.balance, c.currency),
        "oldest_due_date": c.oldest_due_date,
        "next_action_on": c.next_action_on,
        "created_at": c.created_at,
    }


def claim_detail(c: Claim) -> dict[str, Any]:
    invoices = list(c.invoices.all())
    codes = {i.pk: i.code for i in invoices}
    return {**claim_out(c), "invoices": [invoice_out(i, codes) for i in invoices]}


def payment_out(p: Payment, claim_code: UUID, codes: dict[int, UUID]) -> dict[str, Any]:
    return {
        "id": p.code,
        "claim": claim_code,
        "date": p.date,
        "amount": s.money(p.amount, p.currency),
        "method": p.method,
        "reference": p.reference,
        "reverses": codes.get(p.reverses_id),  # type: ignore[arg-type]
        "created_at": p.created_at,
    }


def _claims(request: HttpRequest) -> Any:
    return Claim.objects.filter(creditor_id=creditor_id(request)).select_related(
        "debtor"
    )


def _claim(request: HttpRequest, code: UUID) -> Claim:
    return _get(Claim.objects.select_related("debtor", "creditor"), request, code)


def _claim_full(request: HttpRequest, code: UUID) -> Claim:
    return _get(
        Claim.objects.select_related("debtor").prefetch_related("invoices"),
        request,
        code,
    )


# --- debtors -----------------------------------------------------------------


class ListParams(Schema):
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


class DebtorFilters(ListParams):
    q: str | None = Field(default=None, max_length=100)


@router.get("/debtors", response=_ok(s.DebtorPage), tags=["debtors"])
def debtor_list(request: HttpRequest, filters: Query[DebtorFilters]) -> Any:
    qs = Debtor.objects.filter(creditor_id=creditor_id(request))
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    rows, cursor = paginate(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [debtor_out(d) for d in rows], "next_cursor": cursor}


@router.post("/debtors", response=_ok(s.DebtorOut, 201), tags=["debtors"])
def debtor_create(request: HttpRequest, payload: s.DebtorIn) -> Any:
    require_write(request)
    with transaction.atomic():
        debtor = Debtor(creditor_id=creditor_id(request), **payload.dict())
        debtor.full_clean(exclude=["creditor"])
        debtor.save()
        audit_write(request, "debtor_create", debtor=debtor.code)
    return Status(201, debtor_out(debtor))


@router.get("/debtors/{code}", response=_ok(s.DebtorOut), tags=["debtors"])
def debtor_read(request: HttpRequest, code: UUID) -> Any:
    return debtor_out(_get(Debtor.objects, request, code))


# --- claims -----------------------------------------------------------------


class ClaimFilters(ListParams):
    status: Claim.Status | None = None
    stage: Stage | None = None
    debtor: UUID | None = None
    reference: str | None = Field(default=None, max_length=40)
    due_before: date | None = None


@router.get("/claims", response=_ok(s.ClaimPage), tags=["claims"])
def claim_list(request: HttpRequest, filters: Query[ClaimFilters]) -> Any:
    qs = _claims(request)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.debtor:
        qs = qs.filter(debtor__code=filters.debtor)
    if filters.reference:
        qs = qs.filter(reference=filters.reference)
    if filters.due_before:
        qs = qs.filter(oldest_due_date__lt=filters.due_before)
    rows, cursor = paginate(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [claim_out(c) for c in rows], "next_cursor": cursor}


def _invoice_data(data: s.InvoiceIn) -> services.InvoiceData:
    return services.InvoiceData(
        number=data.number,
        issue_date=data.issue_date,
        due_date=data.due_date,
        amount=Decimal(data.amount),
        vat_amount=Decimal(data.vat_amount),
        description=data.description,
        delivery_date=data.delivery_date,
        currency=data.currency,
    )


def _debtor_for(request: HttpRequest, code: UUID) -> Debtor:
    debtor = Debtor.objects.filter(creditor_id=creditor_id(request), code=code).first()
    if debtor is None:
        raise ApiProblem(
            422,
            "invalid-input",
            _("Données refusées"),
            errors=[{"field": "debtor", "reason": _("Débiteur inconnu.")}],
        )
    return debtor


@router.post("/claims", response=_ok(s.ClaimDetail, 201), tags=["claims"])
def claim_create(request: HttpRequest, payload: s.ClaimIn) -> Any:
    token = require_write(request)
    debtor = _debtor_for(request, payload.debtor)
    _numbers_free(
        debtor.creditor_id,
        InvoiceKind.INVOICE,
        [i.number for i in payload.invoices],
        "invoices.{}.number",
    )
    with _number_clash_refused("invoices"), transaction.atomic():
        claim = services.claim_open(
            creditor=debtor.creditor,
            debtor=debtor,
            invoices=[_invoice_data(i) for i in payload.invoices],
            reference=payload.reference,
            terms_reference=payload.terms_reference,
            has_debtor_writing=payload.has_debtor_writing,
            actor=token.created_by,
        )
        audit_write(request, "claim_create", claim=claim.code)
    return Status(201, claim_detail(_claim_full(request, claim.code)))


@router.get("/claims/{code}", response=_ok(s.ClaimDetail), tags=["claims"])
def claim_read(request: HttpRequest, code: UUID) -> Any:
    return claim_detail(_claim_full(request, code))


@router.post(
    "/invoices/import",
    response={200: s.InvoiceImportOut, 201: s.InvoiceImportOut, **ERRORS},
    tags=["invoices"],
)
def invoice_import(request: HttpRequest, payload: s.InvoiceImportIn) -> Any:
    """Import one invoice, idempotent by the creditor's invoice number.

    The same number again answers 200 with the invoice already recorded
    (nothing written); a new number opens a claim for the debtor, or joins the
    open claim given in ``claim``, and answers 201.
    """
    token = require_write(request)
    cid = creditor_id(request)
    existing = invoice_by_number(cid, payload.number)
    if existing is not None:
        return _imported(existing)
    debtor = _debtor_for(request, payload.debtor)
    data = _invoice_data(payload)
    try:
        return _import_new(request, token, payload, debtor, data)
    except IntegrityError as exc:
        # Another import of the same number committed between our look-up
        # and our insert: answer with its invoice, as if we had come second.
        existing = invoice_by_number(cid, payload.number)
        if existing is None or not _is_number_clash(exc):
            raise
        return _imported(existing)


def invoice_by_number(cid: int, number: str) -> Invoice | None:
    return (
        Invoice.objects.filter(creditor_id=cid, kind=InvoiceKind.INVOICE, number=number)
        .select_related("claim")
        .first()
    )


def _imported(existing: Invoice) -> Status:
    return Status(
        200,
        {
            "created": False,
            "claim": existing.claim.code,
            "invoice": invoice_out(existing),
        },
    )


def _is_number_clash(exc: IntegrityError) -> bool:
    return "claims_unique_invoice_number" in str(exc)


def _import_new(
    request: HttpRequest,
    token: Any,
    payload: s.InvoiceImportIn,
    debtor: Debtor,
    data: services.InvoiceData,
) -> Status:
    with transaction.atomic():
        if payload.claim is not None:
            claim = _claim(request, payload.claim)
            if claim.debtor_id != debtor.pk:
                raise ApiProblem(
                    422,
                    "invalid-input",
                    _("Données refusées"),
                    errors=[
                        {
                            "field": "claim",
                            "reason": _("Cette créance est celle d'un autre débiteur."),
                        }
                    ],
                )
            invoice = services.invoice_add(
                claim=claim, data=data, actor=token.created_by
            )
        else:
            claim = services.claim_open(
                creditor=debtor.creditor,
                debtor=debtor,
                invoices=[data],
                actor=token.created_by,
            )
            invoice = claim.invoices.get()
        audit_write(request, "invoice_import", claim=claim.code, invoice=invoice.number)
    return Status(
        201, {"created": True, "claim": claim.code, "invoice": invoice_out(invoice)}
    )


# --- payments and credit notes ---------------------------------------------------


@router.get("/claims/{code}/payments", response=_ok(s.PaymentList), tags=["payments"])
def payment_list(request: HttpRequest, code: UUID) -> Any:
    claim = _claim(request, code)
    rows = list(claim.payments.all())
    codes = {p.pk: p.code for p in rows}
    return {"items": [payment_out(p, claim.code, codes) for p in rows]}


@contextmanager
def _fields_renamed(**names: str) -> Iterator[None]:
    """A service's ValidationError, its field names turned into the API's."""
    try:
        yield
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise DjangoValidationError(
            {names.get(k, k): v for k, v in exc.error_dict.items()}
        ) from exc


NUMBER_TAKEN = gettext_lazy("Ce numéro est déjà enregistré.")


def _numbers_free(cid: int, kind: str, numbers: list[str], field: str) -> None:
    """Refuse (422) a number repeated in the request or already recorded: the
    database would refuse it too, but with a 500 instead of the field."""
    taken = set(
        Invoice.objects.filter(
            creditor_id=cid, kind=kind, number__in=numbers
        ).values_list("number", flat=True)
    )
    errors, seen = [], set()
    for i, number in enumerate(numbers):
        if number in taken or number in seen:
            errors.append({"field": field.format(i), "reason": str(NUMBER_TAKEN)})
        seen.add(number)
    if errors:
        raise ApiProblem(
            422, "refused", _("Refusé par les règles du dossier"), errors=errors
        )


@contextmanager
def _number_clash_refused(field: str) -> Iterator[None]:
    """The same refusal when another request took the number meanwhile."""
    try:
        yield
    except IntegrityError as exc:
        if not _is_number_clash(exc):
            raise
        raise ApiProblem(
            422,
            "refused",
            _("Refusé par les règles du dossier"),
            errors=[{"field": field, "reason": str(NUMBER_TAKEN)}],
        ) from exc


def _check_currency(claim: Claim, currency: str) -> None:
    if currency != claim.currency:
        raise ApiProblem(
            422,
            "invalid-input",
            _("Données refusées"),
            errors=[
                {
                    "field": "currency",
                    "reason": _("La créance est en %(c)s.") % {"c": claim.currency},
                }
            ],
        )


@router.post(
    "/claims/{code}/payments", response=_ok(s.PaymentOut, 201), tags=["payments"]
)
def payment_create(request: HttpRequest, code: UUID, payload: s.PaymentIn) -> Any:
    token = require_write(request)
    claim = _claim(request, code)
    _check_currency(claim, payload.currency)
    with _fields_renamed(on="date"), transaction.atomic():
        payment = services.payment_record(
            claim=claim,
            amount=Decimal(payload.amount),
            on=payload.date,
            method=payload.method,
            reference=payload.reference,
            payer_iban=payload.payer_iban,
            actor=token.created_by,
        )
        audit_write(request, "payment_create", claim=claim.code, payment=payment.code)
    return Status(201, payment_out(payment, claim.code, {}))


@router.post(
    "/payments/{code}/reverse", response=_ok(s.PaymentOut, 201), tags=["payments"]
)
def payment_reverse(request: HttpRequest, code: UUID, payload: s.ReverseIn) -> Any:
    token = require_write(request)
    payment = _get(Payment.objects.select_related("claim"), request, code)
    with transaction.atomic():
        reversal = services.payment_reverse(
            payment=payment, reason=payload.reason, actor=token.created_by
        )
        audit_write(
            request, "payment_reverse", payment=payment.code, reversal=reversal.code
        )
    return Status(
        201, payment_out(reversal, payment.claim.code, {payment.pk: payment.code})
    )


@router.post(
    "/claims/{code}/credit-notes", response=_ok(s.InvoiceOut, 201), tags=["invoices"]
)
def credit_note_create(
    request: HttpRequest, code: UUID, payload: s.CreditNoteIn
) -> Any:
    token = require_write(request)
    claim = _claim(request, code)
    _check_currency(claim, payload.currency)
    credited_id = None
    codes: dict[int, UUID] = {}
    if payload.credited_invoice is not None:
        credited = claim.invoices.filter(code=payload.credited_invoice).first()
        if credited is None:
            raise ApiProblem(
                422,
                "invalid-input",
                _("Données refusées"),
                errors=[
                    {
                        "field": "credited_invoice",
                        "reason": _(
                            "La facture créditée n'appartient pas à cette créance."
                        ),
                    }
                ],
            )
        credited_id, codes = credited.pk, {credited.pk: credited.code}
    data = services.InvoiceData(
        number=payload.number,
        issue_date=payload.issue_date,
        due_date=payload.issue_date,
        amount=Decimal(payload.amount),
        description=payload.description,
        kind=InvoiceKind.CREDIT_NOTE,
        currency=payload.currency,
        credited_invoice_id=credited_id,
    )
    _numbers_free(
        claim.creditor_id, InvoiceKind.CREDIT_NOTE, [payload.number], "number"
    )
    with _number_clash_refused("number"), transaction.atomic():
        note = services.invoice_add(claim=claim, data=data, actor=token.created_by)
        audit_write(request, "credit_note_create", claim=claim.code, note=note.code)
    return Status(201, invoice_out(note, codes))


@router.post(
    "/credit-notes/{code}/reverse", response=_ok(s.InvoiceOut, 201), tags=["invoices"]
)
def credit_note_reverse(request: HttpRequest, code: UUID, payload: s.ReverseIn) -> Any:
    token = require_write(request)
    note = _get(Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE), request, code)
    with transaction.atomic():
        reversal = services.credit_note_reverse(
            credit_note=note, reason=payload.reason, actor=token.created_by
        )
        audit_write(request, "credit_note_reverse", note=note.code)
    return Status(201, invoice_out(reversal, {note.pk: note.code}))


# --- statement, disputes, plans, collection state ----------------------------------


class StatementParams(Schema):
    at: date | None = None


def _m(value: Decimal, currency: str) -> dict[str, str]:
    return s.money(value, currency)


@router.get("/claims/{code}/statement", response=_ok(s.StatementOut), tags=["claims"])
def statement_read(
    request: HttpRequest, code: UUID, params: Query[StatementParams]
) -> Any:
    """The statement of the claim at ``at`` (default: the creditor's today)."""
    from claims.ledger import rules as ledger_rules

    claim = _claim(request, code)
    at = params.at or ledger_rules.creditor_today(claim.creditor)
    st = claim_statement(claim=claim, at=at)
    c = st.currency
    return {
        "claim": claim.code,
        "at": st.at,
        "currency": c,
        "invoices": [
            {
                "number": i.number,
                "issue_date": i.issue_date,
                "due_date": i.due_date,
                "is_credit_note": i.is_credit_note,
                "amount": _m(i.amount, c),
                "principal_paid": _m(i.principal_paid, c),
                "principal_due": _m(i.principal_due, c),
            }
            for i in st.invoices
        ],
        "interest_periods": [
            {
                "invoice": p.invoice,
                "start": p.start,
                "end": p.end,
                "days": p.days,
                "base": _m(p.base, c),
                "rate": str(p.rate),
                "amount": _m(p.amount, c),
                "rule": p.rule,
            }
            for p in st.interest_periods
        ],
        "fees": [
            {
                "label": f.label,
                "invoice": f.invoice,
                "amount": _m(f.amount, c),
                "legal_basis": f.legal_basis,
            }
            for f in st.fees
        ],
        "payments": [
            {
                "date": a.on,
                "amount": _m(a.amount, c),
                "to_costs": _m(a.to_costs, c),
                "to_interest": _m(a.to_interest, c),
                "to_principal": _m(a.to_principal, c),
                "to_credit": _m(a.to_credit, c),
                "reference": a.reference,
            }
            for a in st.allocations
        ],
        **{
            name: _m(getattr(st, name), c)
            for name in (
                "principal",
                "principal_due",
                "interest",
                "interest_due",
                "costs",
                "costs_due",
                "paid",
                "waived",
                "credit",
                "total_due",
            )
        },
        "warnings": [str(w) for w in st.warnings],
        "prescription_on": st.prescription_on,
        "prescription_rule": st.prescription_rule,
    }


@router.get("/claims/{code}/disputes", response=_ok(s.DisputeList), tags=["claims"])
def dispute_list(request: HttpRequest, code: UUID) -> Any:
    claim = _claim(request, code)
    rows = (
        Dispute.objects.filter(claim=claim)
        .select_related("invoice")
        .order_by("opened_at", "pk")
    )
    return {
        "items": [
            {
                "id": d.code,
                "status": d.status,
                "reason": d.reason,
                "source": d.source,
                "amount": s.money(d.amount, claim.currency)
                if d.amount is not None
                else None,
                "invoice": d.invoice.number if d.invoice else None,
                "answer": d.answer,
                "opened_at": d.opened_at,
                "resolved_at": d.resolved_at,
            }
            for d in rows
        ]
    }


@router.get("/claims/{code}/plans", response=_ok(s.PlanList), tags=["claims"])
def plan_list(request: HttpRequest, code: UUID) -> Any:
    claim = _claim(request, code)
    rows = (
        PaymentPlan.objects.filter(claim=claim)
        .prefetch_related("instalments")
        .order_by("created_at", "pk")
    )
    c = claim.currency
    return {
        "items": [
            {
                "id": p.code,
                "status": p.status,
                "requested_by_debtor": p.requested_by_debtor,
                "accepted_on": p.accepted_on,
                "created_at": p.created_at,
                "instalments": [
                    {
                        "due_on": i.due_on,
                        "amount": s.money(i.amount, c),
                        "paid": s.money(i.paid, c),
                    }
                    for i in p.instalments.all()
                ],
            }
            for p in rows
        ]
    }


@router.get("/claims/{code}/collection", response=_ok(s.CollectionOut), tags=["claims"])
def collection_read(request: HttpRequest, code: UUID) -> Any:
    """Where the collection stands: stage, next step and its date, held or not and why."""
    claim = _claim(request, code)
    stage_reason = hold_reason(claim.stage)
    debtor_reason = (
        _("Suspendue : débiteur insolvable, décédé ou adresse inconnue")
        if claim.debtor.automation_blocked
        else ""
    )
    held_reason = stage_reason or debtor_reason
    action = (
        Action.objects.filter(claim=claim, state=Action.State.PLANNED)
        .select_related("step")
        .order_by("due_on", "pk")
        .first()
    )
    next_step = None
    if action is not None:
        next_step = {
            "kind": action.step.kind,
            "label": action.step.get_kind_display(),
            "channel": action.step.channel,
            "due_on": action.due_on,
            "held": bool(held_reason or action.reason),
            "reason": held_reason or action.reason,
        }
    return {
        "claim": claim.code,
        "status": claim.status,
        "stage": claim.stage,
        "stage_label": claim.get_stage_display(),
        "stage_entered_on": claim.stage_entered_on,
        "resume_stage": claim.resume_stage,
        "paused_until": claim.paused_until,
        "held": bool(held_reason),
        "held_reason": held_reason,
        "next_action_on": claim.next_action_on,
        "next_step": next_step,
        "reply_by": claim.reply_by,
        "closed_reason": claim.closed_reason,
        "closed_on": claim.closed_on,
    }
