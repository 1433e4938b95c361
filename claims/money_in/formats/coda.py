"""Belgian CODA bank statements, version 2 (Febelfin standard, 128-column records).

Several files may be concatenated (one ``0``…``9`` sequence each), line endings
may be LF or CRLF. A movement (record 2.1 with detail number 0000) becomes an
entry; detail records of a globalised movement are information only. Record 9
totals are checked so a truncated or edited file is refused whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from .types import BankEntry
from .types import ParseError
from .types import check_size
from .types import entry_key

_CENTS = Decimal("0.001")


@dataclass
class _Movement:
    line: int
    sequence: str
    detail: str
    reference: str
    is_credit: bool
    amount: Decimal
    value_date: date | None
    entry_date: date
    structured: str = ""
    free: list[str] = field(default_factory=list)
    name: str = ""
    iban: str = ""


@dataclass
class _Statement:
    account: str = ""
    currency: str = ""
    number: str = ""
    year: int = 0
    movements: list[_Movement] = field(default_factory=list)
    records: int = 0
    debit: Decimal = Decimal("0.000")
    credit: Decimal = Decimal("0.000")


def _date(raw: str, where: str) -> date:
    try:
        return date(2000 + int(raw[4:6]), int(raw[2:4]), int(raw[0:2]))
    except ValueError:
        raise ParseError(f"Date invalide « {raw} ».", where) from None


def _amount(raw: str, where: str) -> Decimal:
    if not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is True
        raise ParseError(f"Montant invalide « {raw} ».", where)
    return (Decimal(raw) * _CENTS).quantize(_CENTS)


def _lines(data: bytes) -> list[str]:
    check_size(data)
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ParseError(
                _("Encodage illisible : un fichier CODA est en ASCII."), "fichier"
            ) from None
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def parse(data: bytes, *, check_totals: bool = True) -> list[BankEntry]:
    """Parse CODA v2 data into entries; raise ParseError on anything malformed.

    ``check_totals=False`` only skips the debit/credit totals of record 9 (some
    published samples were edited by hand); the record count is always checked.
    """
    lines = _lines(data)
    statements: list[_Statement] = []
    current: _Statement | None = None
    last: _Movement | None = None
    for number, line in enumerate(lines, start=1):
        where = f"ligne {number}"
        if len(line) != 128:
            raise ParseError(
                f"Un enregistrement CODA fait 128 caractères, celui-ci en fait {len(line)}.",
                where,
            )
        kind = line[0]
        if kind == "0":
            if current is not None:
                raise ParseError(
                    _("Enregistrement 9 (fin de fichier) manquant."), where
                )
            if line[127] != "2":
                raise ParseError(
                    _("Seule la version 2 du format CODA est acceptée."), where
                )
            current = _Statement()
            last = None
            continue
        if current is None:
            raise ParseError(_("Enregistrement 0 (en-tête) manquant."), where)
        if kind == "1":
            current.account, current.currency = _account(line, where)
            current.number = line[2:5]
            current.year = _date(line[58:64], where).year
            current.records += 1
        elif kind == "2":
            current.records += 1
            last = _record2(line, where, current, last)
        elif kind == "3":
            current.records += 1
            if line[1] == "1" and last is not None and line[2:6] == last.sequence:
                pass  # information records: kept out of the candidate's text
        elif kind == "4" or kind == "8":
            current.records += 1
        elif kind == "9":
            _check_totals(current, line, where, amounts=check_totals)
            statements.append(current)
            current = None
        else:
            raise ParseError(f"Type d'enregistrement inconnu « {kind} ».", where)
    if current is not None:
        raise ParseError(
            _("Fichier tronqué : enregistrement 9 (fin de fichier) manquant."),
            f"ligne {len(lines)}",
        )
    if not statements:
        raise ParseError(_("Aucun relevé CODA dans le fichier."), "fichier")
    return [e for s in statements for e in _entries(s)]


def _account(line: str, where: str) -> tuple[str, str]:
    structure = line[1]
    if structure == "0":
        return line[5:17], line[18:21]
    if structure == "1":
        return line[5:39].strip(), line[39:42]
    if structure == "2":
        return line[5:21], line[39:42]
    if structure == "3":
        return line[5:39].strip(), line[39:42]
    raise ParseError(f"Structure de compte inconnue « {structure} ».", where)


def _record2(
    line: str, where: str, st: _Statement, last: _Movement | None
) -> _Movement | None:
    part = line[1]
    if part == "1":
        amount = _amount(line[32:47], where)
        is_credit = line[31] == "0"
        if line[31] not in "01":
            raise ParseError(_("Sens du mouvement invalide."), where)
        detail = line[6:10]
        if detail == "0000":
            if is_credit:
                st.credit += amount
            else:
                st.debit += amount
        value_raw = line[47:53]
        move = _Movement(
            line=int(where.split()[-1]),
            sequence=line[2:6],
            detail=detail,
            reference=line[10:31].strip(),
            is_credit=is_credit,
            amount=amount,
            value_date=None if value_raw == "000000" else _date(value_raw, where),
            entry_date=_date(line[115:121], where),
        )
        if line[61] == "1" and line[62:65] == "101":
            move.structured = line[65:77]
        elif line[61] == "1":
            move.free.append(line[65:115].strip())
        else:
            move.free.append(line[62:115].strip())
        st.movements.append(move)
        return move
    if last is None or line[2:6] != last.sequence:
        raise ParseError(_("Enregistrement 2.2/2.3 sans mouvement 2.1."), where)
    if part == "2":
        last.free.append(line[10:63].strip())
    elif part == "3":
        last.iban = line[10:44].strip().replace(" ", "").upper()
        last.name = line[47:82].strip()
        last.free.append(line[82:125].strip())
    else:
        raise ParseError(f"Enregistrement 2.{part} inconnu.", where)
    return last


def _check_totals(st: _Statement, line: str, where: str, *, amounts: bool) -> None:
    try:
        records = int(line[16:22])
    except ValueError:
        raise ParseError(_("Nombre d'enregistrements illisible."), where) from None
    debit = _amount(line[22:37], where)
    credit = _amount(line[37:52], where)
    if records != st.records:
        raise ParseError(
            f"Le fichier annonce {records} enregistrements mais en contient {st.records} : fichier tronqué ou modifié.",
            where,
        )
    if amounts and (debit, credit) != (st.debit, st.credit):
        raise ParseError(
            f"Totaux incohérents : débit {debit} / crédit {credit} annoncés, "
            f"{st.debit} / {st.credit} calculés.",
            where,
        )


def _entries(st: _Statement) -> list[BankEntry]:
    out = []
    for m in st.movements:
        if m.detail != "0000":
            continue
        text = " ".join(t for t in m.free if t)
        out.append(
            BankEntry(
                idempotency_key=entry_key(
                    "coda", st.account, st.year, st.number, m.sequence, m.detail
                ),
                account=st.account,
                booking_date=m.entry_date,
                value_date=m.value_date,
                amount=m.amount.quantize(Decimal("0.01")),
                currency=st.currency,
                is_credit=m.is_credit,
                counterparty_name=m.name,
                counterparty_iban=m.iban,
                structured_reference=m.structured,
                free_text=text,
                skip_reason="" if m.is_credit else "Débit",
            )
        )
    return out
