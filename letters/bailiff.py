"""The bailiff / lawyer hand-off file: one ZIP per claim (legal brief §11 (c)).

Contents: ``00-cover.pdf`` (identification, statement, history, proofs,
disputes, promises, prescription, recommended route), every archived document
sent (byte-for-byte, with its SHA-256 in ``claim.json``), the invoices'
attachments, ``claim.json`` and ``invoices.csv``.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from typing import Any

from claims.law.types import Statement
from claims.models import Claim
from claims.security.params import SafeCsvWriter
from claims.statements import claim_statement
from letters.context import Parties
from letters.rendering import html_to_pdf
from letters.rendering import render_html

try:  # made by the judicial-route helper; absent on branches without it
    from claims.selectors_routes import route_advice as _route_advice
except ImportError:  # pragma: no cover - depends on the merge
    _route_advice = None

# ZIP entries get a fixed timestamp so the same inputs give the same bytes.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def route_advice_text(claim: Claim, today: date) -> str:
    """The advisor's recommended route, as one readable line ("" if unknown)."""
    if _route_advice is None:
        return ""
    advice = _route_advice(claim=claim, today=today)
    for attr in ("summary", "label", "route"):
        value = getattr(advice, attr, None)
        if value:
            return str(value)
    return str(advice)


def claim_facts(claim: Claim, statement: Statement, today: date) -> dict[str, Any]:
    """The machine-readable ``claim.json`` content."""
    c, d = claim.creditor, claim.debtor
    return {
        "format": "recouvrement.bailiff-file/1",
        "prepared_on": today.isoformat(),
        "claim": {
            "reference": claim.reference,
            "payment_reference": claim.structured_reference,
            "currency": claim.currency,
            "stage": claim.stage,
            "terms_reference": claim.terms_reference,
            "has_debtor_writing": claim.has_debtor_writing,
            "first_reminder_sent_on": _iso(claim.first_reminder_sent_on),
            "formal_notice_sent_on": _iso(claim.formal_notice_sent_on),
            "prescription_on": _iso(statement.prescription_on),
            "time_barred": statement.time_barred,
            "route_advice": route_advice_text(claim, today),
        },
        "creditor": {
            "legal_name": c.legal_name,
            "legal_form": c.legal_form,
            "address": c.address_lines(),
            "country": c.country,
            "enterprise_number": c.enterprise_number,
            "vat_number": c.vat_number,
            "iban": c.iban,
            "bic": c.bic,
            "email": c.email,
            "phone": c.phone,
        },
        "debtor": {
            "kind": d.kind,
            "name": d.name,
            "legal_form": d.legal_form,
            "address": d.address_lines(),
            "country": d.country,
            "enterprise_number": d.enterprise_number,
            "vat_number": d.vat_number,
            "email": d.email,
            "phone": d.phone,
            "language": d.language,
            "is_insolvent": d.is_insolvent,
        },
        "statement": _statement_json(statement),
        "disputes": [
            {
                "opened_at": x.opened_at.isoformat(),
                "status": x.status,
                "reason": x.reason,
                "amount": _money(x.amount),
            }
            for x in claim.disputes.all()
        ],
        "payment_plans": [
            {
                "status": p.status,
                "created_at": p.created_at.isoformat(),
                "instalments": [
                    {"due_on": i.due_on.isoformat(), "amount": _money(i.amount)}
                    for i in p.instalments.all()
                ],
            }
            for p in claim.plans.all()
        ],
        "history": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "by": e.actor_label,
                "message": e.message,
                "data": e.data,
            }
            for e in claim.events.order_by("at", "pk")
        ],
        "documents": [
            {
                "file": _doc_name(doc),
                "kind": doc.kind,
                "title": doc.title,
                "sha256": doc.sha256,
                "rendered_at": doc.rendered_at.isoformat(),
                "sent_at": doc.sent_at.isoformat() if doc.sent_at else None,
                "channel": doc.channel,
                "recipients": doc.recipients,
            }
            for doc in _sent_documents(claim)
        ],
    }


def _statement_json(s: Statement) -> dict[str, Any]:
    return {
        "at": s.at.isoformat(),
        "principal": _money(s.principal),
        "interest": _money(s.interest),
        "costs": _money(s.costs),
        "paid": _money(s.paid),
        "waived": _money(s.waived),
        "total_due": _money(s.total_due),
        "interest_periods": [
            {
                "invoice": p.invoice,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "days": p.days,
                "base": _money(p.base),
                "rate_percent": str(p.rate),
                "amount": _money(p.amount),
                "rule": p.rule,
            }
            for p in s.interest_periods
        ],
        "fees": [
            {"label": f.label, "amount": _money(f.amount), "legal_basis": f.legal_basis}
            for f in s.fees
        ],
        "payments": [
            {
                "on": a.on.isoformat(),
                "amount": _money(a.amount),
                "reference": a.reference,
            }
            for a in s.allocations
        ],
    }


def invoices_csv(claim: Claim, statement: Statement) -> bytes:
    """``invoices.csv``: one line per invoice, amounts with a dot decimal."""
    by_number = {i.number: i for i in statement.invoices}
    buf = io.StringIO()
    out = SafeCsvWriter(buf)
    out.writerow(
        [
            "number",
            "kind",
            "issue_date",
            "due_date",
            "delivery_date",
            "amount_incl_vat",
            "vat",
            "amount_excl_vat",
            "principal_paid",
            "principal_due",
            "currency",
            "description",
        ]
    )
    for inv in claim.invoices.all():
        line = by_number.get(inv.number)
        out.writerow(
            [
                inv.number,
                inv.kind,
                inv.issue_date.isoformat(),
                inv.due_date.isoformat(),
                _iso(inv.delivery_date),
                _money(inv.amount),
                _money(inv.vat_amount),
                _money(inv.amount - inv.vat_amount),
                _money(line.principal_paid) if line else "",
                _money(line.principal_due) if line else "",
                inv.currency,
                inv.description,
            ]
        )
    return buf.getvalue().encode("utf-8")


def cover_pdf(
    *,
    claim: Claim,
    parties: Parties,
    facts: dict[str, Any],
    statement: Statement,
    today: date,
    language: str,
) -> bytes:
    """The cover letter to the bailiff / lawyer."""
    html = render_html(
        "letters/pdf/bailiff_cover.html",
        {
            "p": parties,
            "s": statement,
            "f": facts,
            "at": today,
            "language": language,
            "kind": "bailiff_cover",
        },
        language=language,
    )
    return html_to_pdf(html)


def bailiff_zip(*, claim: Claim, parties: Parties, today: date, language: str) -> bytes:
    """The hand-off ZIP of ``claim`` (deterministic entry dates)."""
    statement = claim_statement(claim=claim, at=today)
    facts = claim_facts(claim, statement, today)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        _put(
            zf,
            "00-cover.pdf",
            cover_pdf(
                claim=claim,
                parties=parties,
                facts=facts,
                statement=statement,
                today=today,
                language=language,
            ),
        )
        _put(zf, "claim.json", json.dumps(facts, indent=2, ensure_ascii=False).encode())
        _put(zf, "invoices.csv", invoices_csv(claim, statement))
        for doc in _sent_documents(claim):
            with doc.file.open("rb") as fh:
                _put(zf, f"documents/{_doc_name(doc)}", fh.read())
        for inv in claim.invoices.all():
            if inv.attachment:
                with inv.attachment.open("rb") as fh:
                    name = inv.attachment.name.rsplit("/", 1)[-1]
                    _put(zf, f"invoices/{inv.number}-{name}", fh.read())
    return buf.getvalue()


def _sent_documents(claim: Claim) -> list[Any]:
    from letters.models import Document

    return list(
        claim.documents.exclude(
            kind__in=[Document.Kind.BAILIFF_FILE, Document.Kind.BAILIFF_COVER]
        ).order_by("rendered_at", "pk")
    )


def _doc_name(doc: Any) -> str:
    return f"{doc.rendered_at:%Y%m%d}-{doc.kind}-{doc.sha256[:8]}.pdf"


def _put(zf: zipfile.ZipFile, name: str, content: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, content)


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
