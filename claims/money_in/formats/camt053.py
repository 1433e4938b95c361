"""ISO 20022 CAMT.053 bank-to-customer statements (versions .001.02 to .001.08).

Elements are addressed by local name so every version's namespace is accepted.
Only credit entries that are not reversals become payment candidates; debits
and reversals are returned with a ``skip_reason`` so the import can show them.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation

from django.utils.translation import gettext as _
from lxml import etree

from .types import BankEntry
from .types import ParseError
from .types import check_size
from .types import entry_key

_NS_RE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0([2-8])$")


def secure_parser() -> etree.XMLParser:
    """No network, no entity expansion, no huge trees (XXE / billion laughs)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
    )


def parse_xml(data: bytes) -> etree._Element:
    check_size(data)
    try:
        root = etree.fromstring(data, parser=secure_parser())
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None) or "?"
        raise ParseError(
            f"XML invalide ou tronqué ({exc.msg}).", f"ligne {line}"
        ) from None
    except ValueError as exc:  # e.g. undeclared encoding mismatch
        raise ParseError(f"Encodage illisible ({exc}).", "fichier") from None
    if root is None:
        raise ParseError(_("Document XML vide."), "fichier")
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise ParseError(_("Les entités XML ne sont pas acceptées."), "fichier")
    return root


def _local(el: etree._Element) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el: etree._Element | None, *path: str) -> etree._Element | None:
    for name in path:
        if el is None:
            return None
        el = next((c for c in el if _local(c) == name), None)
    return el


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c) == name]


def _text(el: etree._Element | None, *path: str) -> str:
    found = _child(el, *path)
    return (found.text or "").strip() if found is not None else ""


def _where(el: etree._Element, label: str) -> str:
    return f"{label} (ligne {el.sourceline})"


def _date(el: etree._Element | None, label: str, owner: etree._Element) -> date:
    raw = _text(el, "Dt") or _text(el, "DtTm")[:10]
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ParseError(
            f"Date absente ou invalide « {raw} ».", _where(owner, label)
        ) from None


def _amount(el: etree._Element | None, owner: etree._Element) -> tuple[Decimal, str]:
    if el is None or not (el.text or "").strip():
        raise ParseError(_("Montant absent."), _where(owner, "Ntry"))
    try:
        value = Decimal(el.text.strip())
    except InvalidOperation:
        raise ParseError(
            f"Montant invalide « {el.text} ».", _where(el, "Amt")
        ) from None
    if value < 0 or value != value.quantize(Decimal("0.01")):
        # More than the currency's 2 decimals: refused, never rounded to a
        # different amount than the bank booked.
        raise ParseError(f"Montant invalide « {el.text} ».", _where(el, "Amt"))
    return value, el.get("Ccy", "")


def parse(data: bytes) -> list[BankEntry]:
    """Parse a CAMT.053 file into entries; raise ParseError on anything malformed."""
    root = parse_xml(data)
    ns = root.tag.split("}", 1)[0].lstrip("{") if "}" in root.tag else ""
    if _local(root) != "Document" or not _NS_RE.match(ns):
        raise ParseError(
            _("Ce n'est pas un relevé CAMT.053 (versions 001.02 à 001.08)."), "Document"
        )
    body = _child(root, "BkToCstmrStmt")
    if body is None:
        raise ParseError(_("Élément BkToCstmrStmt absent."), "Document")
    entries: list[BankEntry] = []
    for stmt in _children(body, "Stmt"):
        entries.extend(_statement(stmt))
    return entries


def _statement(stmt: etree._Element) -> list[BankEntry]:
    acct = _child(stmt, "Acct")
    account = _text(acct, "Id", "IBAN") or _text(acct, "Id", "Othr", "Id")
    if not account:
        raise ParseError(_("Compte du relevé absent."), _where(stmt, "Stmt/Acct"))
    summary = _child(stmt, "TxsSummry", "TtlNtries", "NbOfNtries")
    ntries = _children(stmt, "Ntry")
    if summary is not None and (summary.text or "").strip().isdigit():
        declared = int(summary.text.strip())
        if declared != len(ntries):
            raise ParseError(
                f"Le résumé annonce {declared} mouvement(s) mais le relevé en contient {len(ntries)}.",
                _where(summary, "TxsSummry/TtlNtries"),
            )
    out: list[BankEntry] = []
    for position, ntry in enumerate(ntries, start=1):
        out.extend(_entry(ntry, account=account, position=position))
    return out


def _entry(ntry: etree._Element, *, account: str, position: int) -> list[BankEntry]:
    amount, ccy = _amount(_child(ntry, "Amt"), ntry)
    indicator = _text(ntry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise ParseError(
            f"Sens du mouvement invalide « {indicator} ».",
            _where(ntry, "Ntry/CdtDbtInd"),
        )
    booked = _date(_child(ntry, "BookgDt"), "Ntry/BookgDt", ntry)
    valued_el = _child(ntry, "ValDt")
    valued = _date(valued_el, "Ntry/ValDt", ntry) if valued_el is not None else None
    reversal = _text(ntry, "RvslInd").lower() in ("true", "1")
    is_credit = indicator == "CRDT"
    skip = ""
    if reversal:
        skip = "Extourne (RvslInd)"
    elif not is_credit:
        skip = "Débit"
    ntry_ref = _text(ntry, "AcctSvcrRef") or _text(ntry, "NtryRef") or f"#{position}"
    txs = [
        tx for dtls in _children(ntry, "NtryDtls") for tx in _children(dtls, "TxDtls")
    ]
    base = {
        "account": account,
        "booking_date": booked,
        "value_date": valued,
        "currency": ccy,
        "is_credit": is_credit,
        "skip_reason": skip,
    }
    if len(txs) <= 1:
        tx = txs[0] if txs else None
        key = entry_key(account, booked, amount, ntry_ref, _tx_ref(tx))
        return [
            BankEntry(
                idempotency_key=key,
                amount=amount,
                **base,
                **_tx_details(tx, ntry),
            )
        ]
    out = []
    for index, tx in enumerate(txs, start=1):
        tx_amount_el = _child(tx, "Amt")
        if tx_amount_el is None:
            tx_amount_el = _child(tx, "AmtDtls", "TxAmt", "Amt")
        tx_amount, tx_ccy = (
            _amount(tx_amount_el, tx) if tx_amount_el is not None else (amount, ccy)
        )
        key = entry_key(account, booked, tx_amount, ntry_ref, _tx_ref(tx) or index)
        out.append(
            BankEntry(
                idempotency_key=key,
                amount=tx_amount,
                **{**base, "currency": tx_ccy or ccy},
                **_tx_details(tx, ntry),
            )
        )
    return out


def _tx_ref(tx: etree._Element | None) -> str:
    if tx is None:
        return ""
    refs = _child(tx, "Refs")
    for name in ("AcctSvcrRef", "TxId", "EndToEndId", "InstrId"):
        value = _text(refs, name)
        if value and value.upper() != "NOTPROVIDED":
            return value
    return ""


def _party_name(parties: etree._Element | None, role: str) -> str:
    return _text(parties, role, "Nm") or _text(parties, role, "Pty", "Nm")


def _tx_details(tx: etree._Element | None, ntry: etree._Element) -> dict[str, str]:
    parties = _child(tx, "RltdPties")
    rmt = _child(tx, "RmtInf")
    ustrd = (
        [(u.text or "").strip() for u in _children(rmt, "Ustrd")]
        if rmt is not None
        else []
    )
    strd = ""
    if rmt is not None:
        for s in _children(rmt, "Strd"):
            strd = strd or _text(s, "CdtrRefInf", "Ref")
    free = " ".join(t for t in ustrd if t and t.upper() != "NOTPROVIDED")
    extra = _text(tx, "AddtlTxInf") or _text(ntry, "AddtlNtryInf")
    return {
        "counterparty_name": _party_name(parties, "Dbtr")[:200],
        "counterparty_iban": (
            _text(parties, "DbtrAcct", "Id", "IBAN").replace(" ", "").upper()
        )[:34],
        "structured_reference": strd[:40],
        "free_text": " ".join(t for t in (free, extra) if t),
    }
