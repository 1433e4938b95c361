"""UBL 2.1 / Peppol BIS Billing 3.0 invoices and credit notes (UBL 2.0 read too).

Elements are found by local name, so UBL 2.0 and 2.1 documents read alike.
A credit note is a ``CreditNote`` document, an invoice of type 381, or an
invoice whose payable amount is negative (a correction); its amounts are
returned positive with ``is_credit_note`` set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation

from django.utils.translation import gettext as _
from lxml import etree

from claims.ledger.validators import ogm_is_valid

from .camt053 import parse_xml
from .types import ParseError

_OGM = re.compile(r"(?<!\d)(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})(?!\d)")
_ROOTS = {"Invoice", "CreditNote"}


@dataclass(frozen=True)
class UblParty:
    name: str
    vat_number: str = ""
    enterprise_number: str = ""
    email: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""


@dataclass(frozen=True)
class UblDocument:
    number: str
    is_credit_note: bool
    issue_date: date
    due_date: date | None
    currency: str
    amount: Decimal  # payable (after prepaid amounts), positive
    tax_inclusive: Decimal
    prepaid: Decimal
    vat_amount: Decimal
    buyer: UblParty
    payment_id: str = ""
    structured_reference: str = ""  # a mod-97-valid Belgian OGM, digits only
    payment_terms: str = ""
    credited_number: str = ""
    version: str = ""


def _local(el: etree._Element) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def _find(el: etree._Element | None, path: str) -> etree._Element | None:
    for name in path.split("/"):
        if el is None:
            return None
        el = next((c for c in el if _local(c) == name), None)
    return el


def _all(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c) == name]


def _text(el: etree._Element | None, path: str) -> str:
    found = _find(el, path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _date(root: etree._Element, path: str, *, required: bool) -> date | None:
    raw = _text(root, path)
    if not raw:
        if required:
            raise ParseError(_("Date absente."), path)
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise ParseError(f"Date invalide « {raw} ».", path) from None


def _money(root: etree._Element, path: str, *, required: bool = False) -> Decimal:
    raw = _text(root, path)
    if not raw:
        if required:
            raise ParseError(_("Montant absent."), path)
        return Decimal("0.00")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ParseError(f"Montant invalide « {raw} ».", path) from None
    if not value.is_finite():
        raise ParseError(f"Montant invalide « {raw} ».", path)
    if value != value.quantize(Decimal("0.01")):
        # Peppol BIS (BR-DEC) allows 2 decimals on document amounts; rounding
        # one silently would book a different amount than the invoice says.
        raise ParseError(
            f"Montant « {raw} » avec plus de deux décimales : refusé.", path
        )
    return value


def find_ogm(*texts: str) -> str:
    """The first mod-97-valid Belgian structured communication in the texts."""
    for text in texts:
        for m in _OGM.finditer(text or ""):
            digits = "".join(m.groups())
            if ogm_is_valid(digits):
                return digits
    return ""


def _party(root: etree._Element) -> UblParty:
    party = _find(root, "AccountingCustomerParty/Party")
    if party is None:
        raise ParseError(
            _("Client (AccountingCustomerParty) absent."), "AccountingCustomerParty"
        )
    name = _text(party, "PartyName/Name") or _text(
        party, "PartyLegalEntity/RegistrationName"
    )
    if not name:
        raise ParseError(_("Nom du client absent."), "AccountingCustomerParty/Party")
    return UblParty(
        name=name[:200],
        vat_number=_text(party, "PartyTaxScheme/CompanyID")[:20],
        enterprise_number=_text(party, "PartyLegalEntity/CompanyID")[:20],
        email=_text(party, "Contact/ElectronicMail")[:254],
        street=" ".join(
            t
            for t in (
                _text(party, "PostalAddress/StreetName"),
                _text(party, "PostalAddress/BuildingNumber"),
            )
            if t
        )[:200],
        postal_code=_text(party, "PostalAddress/PostalZone")[:20],
        city=_text(party, "PostalAddress/CityName")[:100],
        country=_text(party, "PostalAddress/Country/IdentificationCode")[:2].upper(),
    )


def _vat(root: etree._Element, currency: str) -> Decimal:
    for total in _all(root, "TaxTotal"):
        amount = _find(total, "TaxAmount")
        if amount is not None and amount.get("currencyID", currency) == currency:
            return _money(total, "TaxAmount")
    return Decimal("0.00")


def parse(data: bytes) -> UblDocument:
    """Parse one UBL invoice or credit note; raise ParseError when unusable."""
    root = parse_xml(data)
    kind = _local(root)
    if kind not in _ROOTS or "oasis" not in (root.tag or ""):
        raise ParseError(
            _("Ce n'est pas une facture ou une note de crédit UBL."), kind or "document"
        )
    number = _text(root, "ID")
    if not number:
        raise ParseError(_("Numéro de document absent."), "ID")
    currency = _text(root, "DocumentCurrencyCode") or "EUR"
    payable = _money(root, "LegalMonetaryTotal/PayableAmount", required=True)
    type_code = _text(root, "InvoiceTypeCode") or _text(root, "CreditNoteTypeCode")
    is_credit = kind == "CreditNote" or type_code == "381" or payable < 0
    sign = Decimal(-1) if payable < 0 else Decimal(1)
    means = _all(root, "PaymentMeans")
    payment_ids = [_text(m, "PaymentID") for m in means] + [
        _text(m, "InstructionID") for m in means
    ]
    terms = " ".join(_text(t, "Note") for t in _all(root, "PaymentTerms"))
    due = _date(root, "DueDate", required=False)
    if due is None:
        due = next(
            (d for m in means if (d := _date(m, "PaymentDueDate", required=False))),
            None,
        )
    return UblDocument(
        number=number[:50],
        is_credit_note=is_credit,
        issue_date=_date(root, "IssueDate", required=True),  # type: ignore[arg-type]
        due_date=due,
        currency=currency[:3],
        amount=payable * sign,
        tax_inclusive=_money(root, "LegalMonetaryTotal/TaxInclusiveAmount") * sign,
        prepaid=_money(root, "LegalMonetaryTotal/PrepaidAmount") * sign + 0,
        vat_amount=_vat(root, currency) * sign,
        buyer=_party(root),
        payment_id=next((p for p in payment_ids if p), "")[:140],
        structured_reference=find_ogm(*payment_ids, terms),
        payment_terms=terms[:500],
        credited_number=_text(root, "BillingReference/InvoiceDocumentReference/ID")[
            :50
        ],
        version=_text(root, "UBLVersionID"),
    )
