"""Payment instructions: EPC QR code (EPC069-12) and references.

Pure functions, no database. The debtor portal calls :func:`epc_payload` and
:func:`epc_qr_svg` to show the same QR code as the letters.

Legal brief §4.2: payload ``BCD/002/1/SCT``, lines separated by LF, nothing
after the last element used, at most 331 bytes (QR version 13, level M);
amount ``EUR`` + 2 decimals; Belgian OGM digits in the structured-reference
line (10), otherwise free text in line 11 — never both.
"""

from __future__ import annotations

import base64
import io
from decimal import Decimal

import segno

from claims.law.types import Statement
from claims.ledger.statements import amount_to_pay
from claims.ledger.validators import ogm_digits
from claims.ledger.validators import ogm_is_valid

EPC_MAX_BYTES = 331
MAX_AMOUNT = Decimal("999999999.99")


class EpcError(ValueError):
    """The payment data cannot be encoded as an EPC QR payload."""


def epc_payload(
    *,
    name: str,
    iban: str,
    amount: Decimal,
    bic: str = "",
    reference: str = "",
    text: str = "",
) -> str:
    """The EPC069-12 (version 002) SEPA credit-transfer payload.

    ``reference`` is a Belgian structured communication (any format, only its
    12 digits are kept) or an ISO 11649 ``RF`` reference; ``text`` is the
    unstructured remittance (used only when there is no reference).
    Raises :class:`EpcError` when a field is out of the standard's limits.
    """
    iban = iban.replace(" ", "").upper()
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if not Decimal("0.01") <= amount <= MAX_AMOUNT:
        raise EpcError("amount out of range")
    if len(name) > 70 or not name:
        raise EpcError("beneficiary name must have 1 to 70 characters")
    if not 15 <= len(iban) <= 34:
        raise EpcError("invalid IBAN length")
    if bic and len(bic) not in (8, 11):
        raise EpcError("BIC must have 8 or 11 characters")
    structured = _structured(reference)
    if len(structured) > 35:
        raise EpcError("structured reference over 35 characters")
    unstructured = "" if structured else text[:140]
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        bic,
        name,
        iban,
        f"EUR{amount}",
        "",
        structured,
        unstructured,
    ]
    while lines and not lines[-1]:
        lines.pop()
    payload = "\n".join(lines)
    if len(payload.encode()) > EPC_MAX_BYTES:
        raise EpcError("payload over 331 bytes")
    return payload


def payment_reference(
    *, country: str, structured_reference: str, claim_reference: str
) -> str:
    """The reference a debtor writes on the transfer: the formatted OGM in
    Belgium, otherwise the claim's RF / payment reference or its reference."""
    if country == "BE":
        return format_ogm(structured_reference)
    return structured_reference or claim_reference


def payment_request_payload(
    *,
    statement: Statement,
    name: str,
    iban: str,
    bic: str = "",
    reference: str = "",
    claim_reference: str = "",
) -> str:
    """The EPC payload asking for :func:`claims.ledger.statements.amount_to_pay` —
    the one amount the letters, the e-mails, the portal and the QR codes
    show. Empty when nothing is due, the claim is not in euro or the
    creditor's bank details cannot be encoded."""
    amount = amount_to_pay(statement)
    if amount <= 0 or statement.currency != "EUR":
        return ""
    try:
        return epc_payload(
            name=name[:70],
            iban=iban,
            bic=bic,
            amount=amount,
            reference=reference,
            text=claim_reference,
        )
    except EpcError:
        return ""


def _structured(reference: str) -> str:
    if not reference:
        return ""
    if ogm_is_valid(reference):
        return ogm_digits(reference)
    compact = reference.replace(" ", "").upper()
    if compact.startswith("RF") and compact[2:4].isdigit():
        return compact
    return ""


def epc_qr(payload: str) -> segno.QRCode:
    """The QR symbol for ``payload``: error correction M, version ≤ 13."""
    return segno.make(payload, error="m", boost_error=False, encoding="utf-8")


def epc_qr_svg(payload: str, *, scale: int = 4) -> str:
    """The QR code as an SVG ``data:`` URI, for ``<img src>`` in PDFs and pages."""
    return epc_qr(payload).svg_data_uri(scale=scale, border=4)


def epc_qr_png(payload: str, *, scale: int = 6) -> bytes:
    """The QR code as PNG bytes."""
    buf = io.BytesIO()
    epc_qr(payload).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def epc_qr_png_data_uri(payload: str, *, scale: int = 6) -> str:
    """The QR code as a PNG ``data:`` URI."""
    return (
        "data:image/png;base64,"
        + base64.b64encode(epc_qr_png(payload, scale=scale)).decode()
    )


def format_ogm(reference: str) -> str:
    """``+++123/4567/89002+++`` for a valid OGM, the reference unchanged otherwise."""
    if not ogm_is_valid(reference):
        return reference
    d = ogm_digits(reference)
    return f"+++{d[:3]}/{d[3:7]}/{d[7:]}+++"
