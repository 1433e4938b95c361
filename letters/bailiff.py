"""The bailiff / lawyer hand-off file: one ZIP per claim (legal brief §11 (c)).

Contents (every file listed with its SHA-256 in ``manifest-sha256.txt``, the
format ``sha256sum -c`` reads):

- ``00-cover.pdf``: the letter to the chosen bailiff or lawyer — claim summary,
  the recommended route in words, the prescription date, the statement of
  account on the hand-off date;
- ``claim.json`` (``docs/schemas/claim.schema.json``) and ``invoices.csv``;
- ``messages/``: every e-mail sent, as sent (``.eml``);
- ``documents/``: every archived letter (PDF, byte for byte);
- ``invoices/``: the imported invoice (PDF or UBL) or a copy rendered from
  the invoice data;
- ``terms/``: the creditor's general terms; ``proofs/``: registered-mail
  proofs; ``disputes/``: disputes and debtor replies with their attachments;
  ``payments.csv``: payments received.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime
from email.utils import formataddr
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from claims.law.routes import AMICABLE
from claims.law.routes import WRITE_OFF
from claims.law.routes import RouteOption
from claims.law.types import Statement
from claims.ledger.statements import claim_statement
from claims.models import Claim
from claims.models import LegalContact
from claims.security.params import SafeCsvWriter
from letters.context import Parties
from letters.context import fee_groups
from letters.rendering import html_to_pdf
from letters.rendering import render_html

FORMAT = "recouvrement.bailiff-file/2"
COVER = "00-cover.pdf"
MANIFEST = "manifest-sha256.txt"
# ZIP entries get a fixed timestamp so the same inputs give the same bytes.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
COVER_LANGUAGES = ("fr", "nl", "en")

_EXT = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/zip": "zip",
}


@dataclass(frozen=True)
class RouteProse:
    """The recommended route, in sentences (no codes, no markers)."""

    route: str
    title: str
    reasons: list[str]
    met: list[str]
    to_check: list[str]
    not_met: list[str]
    cost_advanced: Decimal
    cost_recoverable: Decimal
    costs: list[dict[str, Any]]
    days_min: int
    days_max: int
    court: str


def cover_language(claim: Claim, recipient: LegalContact | None) -> str:
    """The recipient's language, else the creditor's, else French."""
    lang = (recipient.language if recipient else "") or claim.creditor.language
    return lang if lang in COVER_LANGUAGES else "fr"


def route_prose(claim: Claim, statement: Statement, today: date) -> RouteProse | None:
    """The route the advice recommends (or the one chosen at the hand-off).

    Call it inside ``translation.override``: the advice's titles, reasons and
    conditions are translated when they are built.
    """
    from claims.judicial.routes import route_advice
    from claims.models import JudicialCase

    advice = route_advice(claim=claim, today=today, statement=statement)
    chosen = (
        JudicialCase.objects.filter(claim=claim).values_list("route", flat=True).first()
    )
    # The route chosen at the hand-off; else writing off when the advice
    # recommends it (time-barred, costs above the balance); else the best
    # judicial route it ranks (the recipient acts in court: more amicable
    # reminders are the creditor's business, not theirs); else its best.
    best = advice.best
    judicial = [o for o in advice.options if o.route not in (AMICABLE, WRITE_OFF)]
    option: RouteOption | None = (
        next((o for o in advice.options if o.route == chosen), None)
        or (best if best and best.route == WRITE_OFF and best.recommended else None)
        or next((o for o in judicial if o.eligible), None)
        or best
    )
    if option is None:
        return None
    return RouteProse(
        route=option.route,
        title=option.title,
        reasons=[str(r) for r in option.reasons],
        met=[c.text for c in option.conditions if c.met is True],
        to_check=[c.text for c in option.conditions if c.met is None],
        not_met=[c.text for c in option.conditions if c.met is False],
        cost_advanced=option.cost_estimated,
        cost_recoverable=option.cost_recoverable,
        costs=[
            {"label": c.label, "amount": c.amount, "recoverable": c.recoverable}
            for c in option.costs
        ],
        days_min=option.duration_days[0],
        days_max=option.duration_days[1],
        court=option.court,
    )


_RULE_NOTE = re.compile(r"\s*\(valeur (calculée|non confirmée)[^)]*\)")


def reader_rule(rule: str) -> str:
    """An interest rule line as a reader outside the firm should see it: the
    legal basis and period, without the rate table's working notes."""
    rule = _RULE_NOTE.sub("", rule).replace("⚠️", "").replace("⚠", "").strip()
    if rule.startswith("taux non publié"):
        # "taux non publié pour S1 2027 : … (loi du 2 août 2002, art. 5)"
        basis = re.search(r"\(([^()]*)\)\s*$", rule)
        return basis.group(1) if basis else ""
    if " non publié : " in rule:
        return rule.split(" non publié : ", 1)[0]
    return rule


# --- the files ---------------------------------------------------------------


@dataclass
class Entry:
    name: str
    content: bytes
    title: str = ""


def _put(zf: zipfile.ZipFile, name: str, content: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, content)


def _read(field: Any) -> bytes:
    with field.open("rb") as fh:
        return fh.read()


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:60] or "x"


def _ext(name: str, mime: str = "") -> str:
    if "." in name.rsplit("/", 1)[-1]:
        return name.rsplit(".", 1)[-1].lower()[:5]
    return _EXT.get(mime, "bin")


def _sent_documents(claim: Claim) -> list[Any]:
    from letters.models import Document

    return list(
        claim.documents.exclude(
            kind__in=[Document.Kind.BAILIFF_FILE, Document.Kind.BAILIFF_COVER]
        ).order_by("rendered_at", "pk")
    )


def _doc_name(doc: Any) -> str:
    ext = _EXT.get(doc.mime_type, _ext(doc.file.name))
    return f"documents/{doc.rendered_at:%Y%m%d}-{doc.kind}-{doc.sha256[:8]}.{ext}"


def _messages(claim: Claim) -> list[Any]:
    from letters.models import OutboundMessage

    return list(
        OutboundMessage.objects.filter(claims=claim, status=OutboundMessage.Status.SENT)
        .prefetch_related("documents")
        .order_by("sent_at", "pk")
    )


def message_eml(message: Any, claim: Claim) -> bytes:
    """The e-mail as sent: the archived RFC 822 bytes; for a message sent
    before e-mails were archived, rebuilt from its record and archived PDFs."""
    if message.eml:
        return _read(message.eml)
    rebuilt = EmailMessage()
    rebuilt["From"] = formataddr(
        (claim.creditor.trade_name or claim.creditor.legal_name, claim.creditor.email)
    )
    rebuilt["To"] = ", ".join(message.to)
    rebuilt["Subject"] = message.subject
    rebuilt["Date"] = format_datetime(message.sent_at or message.created_at)
    if message.message_id:
        rebuilt["Message-ID"] = message.message_id
    rebuilt["X-Recouvrement-Rebuilt"] = "headers and attachments from the archive"
    rebuilt.set_content(
        _(
            "Texte de l'e-mail non conservé (envoyé avant l'archivage des e-mails) ; "
            "objet, destinataires, date et pièces jointes tels qu'archivés."
        )
    )
    for doc in message.documents.all():
        maintype, _sep, subtype = doc.mime_type.partition("/")
        rebuilt.add_attachment(
            _read(doc.file),
            maintype=maintype,
            subtype=subtype,
            filename=doc.file.name.rsplit("/", 1)[-1],
        )
    return bytes(rebuilt)


def _invoice_copy(claim: Claim, invoice: Any, parties: Parties, language: str) -> bytes:
    html = render_html(
        "letters/pdf/invoice_copy.html",
        {
            "p": parties,
            "inv": invoice,
            "excl": invoice.amount - invoice.vat_amount,
            "at": invoice.issue_date,
            "language": language,
        },
        language=language,
    )
    return html_to_pdf(html)


def _invoice_entries(
    claim: Claim, parties: Parties, language: str
) -> tuple[list[Entry], dict[str, str]]:
    entries, files = [], {}
    for inv in claim.invoices.all():
        if inv.attachment:
            name = f"invoices/{_safe(inv.number)}.{_ext(inv.attachment.name)}"
            content = _read(inv.attachment)
        else:
            name = f"invoices/{_safe(inv.number)}-copie.pdf"
            content = _invoice_copy(claim, inv, parties, language)
        entries.append(Entry(name, content))
        files[inv.number] = name
    return entries, files


def _dispute_text(n: int, dispute: Any) -> str:
    lines = [
        f"{_('Contestation')} {n}",
        f"{_('Ouverte le')}: {dispute.opened_at:%Y-%m-%d}",
        f"{_('Origine')}: {dispute.source}",
        f"{_('Statut')}: {dispute.get_status_display()}",
    ]
    if dispute.amount is not None:
        lines.append(f"{_('Montant contesté')}: {_money(dispute.amount)}")
    lines += ["", f"{_('Motif')}:", dispute.reason]
    if dispute.answer:
        lines += ["", f"{_('Réponse')}:", dispute.answer]
    return "\n".join(lines) + "\n"


def _debtor_replies(claim: Claim) -> tuple[list[Entry], list[dict[str, Any]]]:
    """What the debtor wrote through the portal (declared payments, plan
    requests, disputes), one text file, with the proofs they uploaded."""
    from django.core.files.storage import default_storage

    from letters.portal.services import DEBTOR

    entries: list[Entry] = []
    found: list[dict[str, Any]] = []
    lines = []
    for n, event in enumerate(
        claim.events.filter(actor_label=DEBTOR)
        .exclude(data__has_key="page")
        .exclude(message__startswith="Le débiteur a téléchargé")
        .order_by("at", "pk"),
        start=1,
    ):
        attachment = None
        path = (event.data or {}).get("proof") or ""
        if path and default_storage.exists(path):
            attachment = f"disputes/reponse-{n:02d}-{event.at:%Y%m%d}.{_ext(path)}"
            with default_storage.open(path, "rb") as fh:
                entries.append(Entry(attachment, fh.read()))
        lines.append(f"{event.at:%Y-%m-%d %H:%M} — {event.message}")
        found.append(
            {
                "at": event.at.isoformat(),
                "message": event.message,
                "attachment": attachment,
            }
        )
    if lines:
        name = "disputes/reponses-du-debiteur.txt"
        entries.insert(0, Entry(name, ("\n".join(lines) + "\n").encode()))
    return entries, found


def _payments_csv(claim: Claim) -> bytes:
    buf = io.StringIO()
    out = SafeCsvWriter(buf)
    out.writerow(["date", "amount", "currency", "method", "reference", "payer_iban"])
    for p in claim.payments.order_by("date", "pk"):
        out.writerow(
            [
                p.date.isoformat(),
                _money(p.amount),
                p.currency,
                p.method,
                p.reference,
                p.payer_iban,
            ]
        )
    return buf.getvalue().encode("utf-8")


def invoices_csv(claim: Claim, statement: Statement) -> bytes:
    """``invoices.csv``: one line per invoice, VAT split, amounts with a dot."""
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
            "amount_excl_vat",
            "vat",
            "amount_incl_vat",
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
                _money(inv.amount - inv.vat_amount),
                _money(inv.vat_amount),
                _money(inv.amount),
                _money(line.principal_paid) if line else "",
                _money(line.principal_due) if line else "",
                inv.currency,
                inv.description,
            ]
        )
    return buf.getvalue().encode("utf-8")


# --- claim.json ----------------------------------------------------------------


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _contact_json(c: LegalContact | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "kind": c.kind,
        "name": c.name,
        "firm": c.firm,
        "address": [x for x in c.address.splitlines() if x.strip()],
        "email": c.email,
        "phone": c.phone,
        "enterprise_number": c.enterprise_number,
        "language": c.language,
    }


def claim_facts(
    *,
    claim: Claim,
    statement: Statement,
    today: date,
    language: str,
    recipient: LegalContact | None,
    route: RouteProse | None,
    files: dict[str, Any],
) -> dict[str, Any]:
    """The machine-readable ``claim.json`` content (amounts as strings)."""
    c, d = claim.creditor, claim.debtor
    by_number = {i.number: i for i in statement.invoices}
    return {
        "format": FORMAT,
        "prepared_on": today.isoformat(),
        "language": language,
        "recipient": _contact_json(recipient),
        "creditor": {
            "legal_name": c.legal_name,
            "trade_name": c.trade_name,
            "legal_form": c.legal_form,
            "address": c.address_lines(),
            "country": c.country,
            "enterprise_number": c.enterprise_number,
            "vat_number": c.vat_number,
            "iban": c.iban,
            "bic": c.bic,
            "email": c.email,
            "phone": c.phone,
            "terms_reference": claim.terms_reference or c.terms_reference,
            "terms_file": files.get("terms"),
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
        "claim": {
            "reference": claim.reference,
            "payment_reference": claim.structured_reference,
            "currency": claim.currency,
            "stage": claim.stage,
            "contested": claim.disputes.filter(status="open").exists(),
            "has_debtor_writing": claim.has_debtor_writing,
            "first_reminder_sent_on": _iso(claim.first_reminder_sent_on),
            "formal_notice_sent_on": _iso(claim.formal_notice_sent_on),
        },
        "prescription": {
            "on": _iso(statement.prescription_on),
            "rule": statement.prescription_rule,
            "time_barred": statement.time_barred,
        },
        "route": None
        if route is None
        else {
            "route": route.route,
            "title": route.title,
            "reasons": route.reasons,
            "conditions_met": route.met,
            "conditions_to_check": route.to_check,
            "conditions_not_met": route.not_met,
            "costs": [
                {
                    "label": x["label"],
                    "amount": _money(x["amount"]),
                    "recoverable": x["recoverable"],
                }
                for x in route.costs
            ],
            "cost_advanced": _money(route.cost_advanced),
            "cost_recoverable": _money(route.cost_recoverable),
            "duration_days": {"min": route.days_min, "max": route.days_max},
            "court": route.court,
        },
        "invoices": [
            {
                "number": inv.number,
                "kind": inv.kind,
                "issue_date": inv.issue_date.isoformat(),
                "due_date": inv.due_date.isoformat(),
                "delivery_date": _iso(inv.delivery_date),
                "amount_excl_vat": _money(inv.amount - inv.vat_amount),
                "vat": _money(inv.vat_amount),
                "amount_incl_vat": _money(inv.amount),
                "principal_paid": _money(by_number[inv.number].principal_paid)
                if inv.number in by_number
                else "0.00",
                "principal_due": _money(by_number[inv.number].principal_due)
                if inv.number in by_number
                else "0.00",
                "description": inv.description,
                "file": files["invoices"].get(inv.number),
            }
            for inv in claim.invoices.all()
        ],
        "statement": _statement_json(statement),
        "payments": [
            {
                "on": p.date.isoformat(),
                "amount": _money(p.amount),
                "method": p.method,
                "reference": p.reference,
            }
            for p in claim.payments.order_by("date", "pk")
        ],
        "disputes": files["disputes"],
        "debtor_replies": files["debtor_replies"],
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
        "messages": files["messages"],
        "documents": files["documents"],
        "postal_proofs": files["proofs"],
        "history": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "by": e.actor_label,
                "message": e.message,
            }
            for e in claim.events.order_by("at", "pk")
        ],
    }


def _statement_json(s: Statement) -> dict[str, Any]:
    return {
        "at": s.at.isoformat(),
        "currency": s.currency,
        "principal": _money(s.principal),
        "principal_due": _money(s.principal_due),
        "interest": _money(s.interest),
        "interest_due": _money(s.interest_due),
        "costs": _money(s.costs),
        "costs_due": _money(s.costs_due),
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
                "rate_percent": f"{p.rate:f}",
                "amount": _money(p.amount),
                "rule": reader_rule(p.rule),
            }
            for p in s.interest_periods
        ],
        "fees": [
            {
                "label": f.label,
                "amount": _money(f.amount),
                "legal_basis": f.legal_basis,
                "invoice": f.invoice,
            }
            for f in s.fees
        ],
        "allocations": [
            {
                "on": a.on.isoformat(),
                "amount": _money(a.amount),
                "to_costs": _money(a.to_costs),
                "to_interest": _money(a.to_interest),
                "to_principal": _money(a.to_principal),
                "reference": a.reference,
            }
            for a in s.allocations
        ],
    }


# --- the cover and the ZIP -------------------------------------------------------


def cover_pdf(
    *,
    claim: Claim,
    parties: Parties,
    statement: Statement,
    facts: dict[str, Any],
    route: RouteProse | None,
    recipient: LegalContact | None,
    today: date,
    language: str,
    contents: list[Entry],
) -> bytes:
    """The cover letter to the bailiff / lawyer (never to the debtor)."""
    html = render_html(
        "letters/pdf/bailiff_cover.html",
        {
            "p": parties,
            "s": statement,
            "f": facts,
            "claim": claim,
            "route": route,
            "recipient": recipient,
            "recipient_address": [
                x for x in (recipient.address if recipient else "").splitlines() if x
            ],
            "at": today,
            "language": language,
            "kind": "bailiff_cover",
            "interest_rules": list(
                dict.fromkeys(
                    r
                    for r in (reader_rule(p.rule) for p in statement.interest_periods)
                    if r
                )
            ),
            "fee_groups": fee_groups(statement),
            "contents": contents,
            "invoice_count": len(facts["invoices"]),
        },
        language=language,
    )
    return html_to_pdf(html)


def bailiff_zip(
    *,
    claim: Claim,
    parties: Parties,
    today: date,
    language: str,
    recipient: LegalContact | None = None,
) -> bytes:
    """The hand-off ZIP of ``claim`` on ``today`` (deterministic entry dates)."""
    statement = claim_statement(claim=claim, at=today)
    with translation.override(language):
        return _build(claim, parties, statement, today, language, recipient)


def _build(
    claim: Claim,
    parties: Parties,
    statement: Statement,
    today: date,
    language: str,
    recipient: LegalContact | None,
) -> bytes:
    from letters.models import PostalProof

    entries: list[Entry] = []
    files: dict[str, Any] = {"messages": [], "documents": [], "proofs": []}
    for n, message in enumerate(_messages(claim), start=1):
        when = message.sent_at or message.created_at
        name = f"messages/{when:%Y%m%d}-{n:02d}-{_safe(message.template)}.eml"
        entries.append(Entry(name, message_eml(message, claim), message.subject))
        files["messages"].append(
            {
                "file": name,
                "sent_at": when.isoformat(),
                "subject": message.subject,
                "to": list(message.to),
                "message_id": message.message_id,
                "archived_as_sent": bool(message.eml),
            }
        )
    for doc in _sent_documents(claim):
        name = _doc_name(doc)
        entries.append(Entry(name, _read(doc.file), doc.title))
        files["documents"].append(
            {
                "file": name,
                "kind": doc.kind,
                "title": doc.title,
                "channel": doc.channel,
                "sha256": doc.sha256,
                "rendered_at": doc.rendered_at.isoformat(),
                "sent_at": doc.sent_at.isoformat() if doc.sent_at else None,
            }
        )
    invoice_entries, files["invoices"] = _invoice_entries(claim, parties, language)
    entries += invoice_entries
    terms = claim.creditor.terms_file
    if terms:
        files["terms"] = f"terms/conditions-generales.{_ext(terms.name)}"
        entries.append(Entry(files["terms"], _read(terms)))
    for proof in PostalProof.objects.filter(claim=claim).select_related("document"):
        name = (
            f"proofs/{proof.posted_on:%Y%m%d}-{_safe(proof.receipt_number)}."
            f"{_EXT.get(proof.mime_type, _ext(proof.scan.name))}"
        )
        entries.append(Entry(name, _read(proof.scan)))
        files["proofs"].append(
            {
                "file": name,
                "receipt_number": proof.receipt_number,
                "posted_on": proof.posted_on.isoformat(),
                "letter": _doc_name(proof.document),
                "sha256": proof.scan_sha256,
            }
        )
    files["disputes"] = []
    for n, dispute in enumerate(claim.disputes.order_by("opened_at", "pk"), start=1):
        base = f"disputes/{n:02d}-{dispute.opened_at:%Y%m%d}"
        entries.append(Entry(f"{base}.txt", _dispute_text(n, dispute).encode()))
        attachment = None
        if dispute.attachment:
            attachment = f"{base}-piece.{_ext(dispute.attachment.name)}"
            entries.append(Entry(attachment, _read(dispute.attachment)))
        files["disputes"].append(
            {
                "file": f"{base}.txt",
                "opened_at": dispute.opened_at.isoformat(),
                "source": dispute.source,
                "status": dispute.status,
                "reason": dispute.reason,
                "answer": dispute.answer,
                "amount": _money(dispute.amount)
                if dispute.amount is not None
                else None,
                "attachment": attachment,
            }
        )
    replies, files["debtor_replies"] = _debtor_replies(claim)
    entries += replies
    entries.append(Entry("payments.csv", _payments_csv(claim)))
    entries.append(Entry("invoices.csv", invoices_csv(claim, statement)))
    route = route_prose(claim, statement, today)
    facts = claim_facts(
        claim=claim,
        statement=statement,
        today=today,
        language=language,
        recipient=recipient,
        route=route,
        files=files,
    )
    claim_json = json.dumps(facts, indent=2, ensure_ascii=False).encode()
    entries.insert(0, Entry("claim.json", claim_json))
    cover = cover_pdf(
        claim=claim,
        parties=parties,
        statement=statement,
        facts=facts,
        route=route,
        recipient=recipient,
        today=today,
        language=language,
        contents=entries,
    )
    entries.insert(0, Entry(COVER, cover))
    manifest = "".join(
        f"{hashlib.sha256(e.content).hexdigest()}  {e.name}\n" for e in entries
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for e in entries:
            _put(zf, e.name, e.content)
        _put(zf, MANIFEST, manifest.encode())
    return buf.getvalue()
