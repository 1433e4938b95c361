"""CSV of debtors and invoices: decode, map columns, convert, report per-row errors.

Pure: no ORM. File-level problems (encoding, no header, size) raise ParseError;
row-level problems are collected as plain-language messages so the preview can
show every one of them before anything is imported.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from claims import l10n
from claims.ledger import rules
from claims.ledger.validators import normalize_iban

from .types import ParseError
from .types import check_size

FIELDS: dict[str, Any] = {
    "debtor_name": _lazy("Nom du débiteur"),
    "debtor_number": _lazy("Numéro d'entreprise / TVA / n° client du débiteur"),
    "debtor_email": _lazy("E-mail du débiteur"),
    "debtor_iban": _lazy("IBAN du débiteur"),
    "debtor_address": _lazy("Adresse"),
    "debtor_postal_code": _lazy("Code postal"),
    "debtor_city": _lazy("Localité"),
    "invoice_number": _lazy("Numéro de facture"),
    "issue_date": _lazy("Date de facture"),
    "due_date": _lazy("Échéance"),
    "amount": _lazy("Montant TVAC"),
    "vat_amount": _lazy("Dont TVA"),
    "currency": _lazy("Devise"),
    "description": _lazy("Objet"),
}
REQUIRED = ("invoice_number", "issue_date", "due_date", "amount")
_GUESSES = {
    "debtor_name": (
        "client",
        "debiteur",
        "débiteur",
        "customer",
        "klant",
        "nom",
        "name",
    ),
    "debtor_number": ("bce", "kbo", "tva", "vat", "btw", "siren", "siret", "n° client"),
    "debtor_email": ("email", "e-mail", "mail", "courriel"),
    "debtor_iban": ("iban",),
    "debtor_address": ("adresse", "address", "adres", "rue"),
    "debtor_postal_code": ("code postal", "cp", "postcode", "zip"),
    "debtor_city": ("ville", "localité", "city", "gemeente"),
    "invoice_number": ("facture", "invoice", "factuur", "numéro", "number", "n°"),
    "issue_date": ("date facture", "date de facture", "issue", "date"),
    "due_date": ("échéance", "echeance", "due", "vervaldag"),
    "amount": ("montant", "amount", "total", "bedrag", "ttc", "tvac"),
    "vat_amount": ("tva montant", "dont tva", "vat amount", "montant tva"),
    "currency": ("devise", "currency", "munt"),
    "description": ("objet", "description", "libellé", "omschrijving"),
}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")
MAX_ROWS = 200_000


class InvoiceRow(NamedTuple):
    """One converted row: a plain tuple (built ~10x faster than a dataclass)."""

    line: int
    debtor_name: str
    debtor_number: str
    debtor_email: str
    debtor_iban: str
    debtor_address: str
    debtor_postal_code: str
    debtor_city: str
    invoice_number: str
    issue_date: date
    due_date: date
    amount: Decimal
    vat_amount: Decimal
    currency: str
    description: str


@dataclass
class CsvResult:
    headers: list[str]
    rows: list[InvoiceRow] = field(default_factory=list)
    errors: dict[int, list[str]] = field(default_factory=dict)

    def add_error(self, line: int, message: str) -> None:
        self.errors.setdefault(line, []).append(message)


def decode(data: bytes) -> str:
    check_size(data)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ParseError(
        _("Encodage illisible (attendu UTF-8 ou Windows-1252)."), "fichier"
    )


def _reader(data: bytes) -> Any:
    """A csv reader over the decoded file; the delimiter (; , tab) is detected
    from the header. Rows are produced one at a time, never held as a list."""
    text = decode(data)
    if "\x00" in text:
        raise ParseError(_("Ce n'est pas un fichier texte CSV."), "fichier")
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    delimiter = max(";,\t", key=first.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _unreadable(exc: csv.Error, line: int) -> ParseError:
    return ParseError(
        _("CSV illisible (%(e)s).") % {"e": exc}, _("ligne %(n)s") % {"n": line}
    )


def _header(reader: Any) -> list[str]:
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ParseError(_("Le fichier est vide."), "ligne 1") from None
    except csv.Error as exc:
        raise _unreadable(exc, reader.line_num) from None
    if not any(header):
        raise ParseError(
            _("La première ligne doit contenir les noms de colonnes."), "ligne 1"
        )
    return header


def _rows(reader: Any) -> Iterator[list[str]]:
    """The data rows, streamed; ParseError on broken CSV or too many rows."""
    count = 0
    try:
        for row in reader:
            count += 1
            if count > MAX_ROWS:
                raise ParseError(
                    _("Trop de lignes (maximum %(n)s).") % {"n": MAX_ROWS},
                    _("ligne %(n)s") % {"n": reader.line_num},
                )
            yield row
    except csv.Error as exc:
        raise _unreadable(exc, reader.line_num) from None


def read_table(data: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows; the delimiter (; , tab) is detected from the header."""
    reader = _reader(data)
    header = _header(reader)
    return header, list(_rows(reader))


def read_header(data: bytes) -> tuple[list[str], int]:
    """Header and number of data rows, the whole file checked (nothing kept)."""
    reader = _reader(data)
    header = _header(reader)
    return header, sum(1 for _row in _rows(reader))


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """A first mapping field → column from the column names (the user corrects it)."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    lowered = {h: h.lower().strip() for h in headers}
    for name, words in _GUESSES.items():
        for word in words:
            hit = next(
                (h for h, low in lowered.items() if h not in used and word in low), None
            )
            if hit is not None:
                mapping[name] = hit
                used.add(hit)
                break
    return mapping


def parse_date(value: str) -> date:
    """A calendar date in one of ``_DATE_FORMATS`` (ValueError otherwise).

    A file repeats the same few hundred dates: each distinct text is parsed
    once (``strptime`` is the slowest step of a row)."""
    return _parse_date(value.strip())


@functools.lru_cache(maxsize=8192)
def _parse_date(raw: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(raw)


def parse_amount(value: str) -> Decimal:
    """``1 234,56`` / ``1.234,56`` / ``1,234.56`` / ``1234.56`` → Decimal('1234.56').

    The interface's one amount reader (claims.l10n.parse_amount); raises
    ValueError (an AmountError, with a message) for what it cannot read. Each
    distinct text is converted once per process (a Decimal is immutable)."""
    return _parse_amount(value)


_parse_amount = functools.lru_cache(maxsize=65536)(l10n.parse_amount)


def parse(
    data: bytes, mapping: dict[str, str], *, today: date | None = None
) -> CsvResult:
    """Convert every row; collect per-row errors in the user's language.

    The ledger rules (claims.ledger.rules) apply to every row: amount, invoice
    date not after ``today`` (the creditor's; unchecked when None), due date
    not before the invoice date. The file is read row by row with the csv
    module; each row becomes one tuple, and each distinct date, amount, IBAN
    and pair of dates is checked once per file."""
    reader = _reader(data)
    headers = _header(reader)
    result = CsvResult(headers=headers)
    missing = [FIELDS[f] for f in REQUIRED if mapping.get(f) not in headers]
    if "debtor_name" not in mapping and "debtor_number" not in mapping:
        missing.append(FIELDS["debtor_name"])
    if missing:
        raise ParseError(
            _("Colonnes à associer : %s.") % ", ".join(str(m) for m in missing),
            "correspondance",
        )
    position = {f: headers.index(col) for f, col in mapping.items() if col in headers}
    columns = tuple(position.get(name) for name in _ORDER)
    checks = _Checks(today or date.max)
    seen: dict[str, int] = {}
    rows = result.rows
    for line, row in enumerate(_rows(reader), start=2):
        width = len(row)
        cells = [row[i].strip() if i is not None and i < width else "" for i in columns]
        if not any(cells) and not any(cell.strip() for cell in row):
            continue
        converted = checks.row(result, line, cells)
        if converted is None:
            continue
        number = converted.invoice_number
        if number in seen:
            result.add_error(
                line,
                _("Numéro de facture %(n)s en double (déjà à la ligne %(l)s).")
                % {"n": number, "l": seen[number]},
            )
            continue
        seen[number] = line
        rows.append(converted)
    return result


# Order of the cells handed to _Checks.row (the InvoiceRow fields after line).
_ORDER = InvoiceRow._fields[1:]
(
    _NAME,
    _NUMBER,
    _EMAIL,
    _IBAN,
    _ADDRESS,
    _POSTAL,
    _CITY,
    _INVOICE,
    _ISSUE,
    _DUE,
    _AMOUNT,
    _VAT,
    _CURRENCY,
    _DESCRIPTION,
) = range(len(_ORDER))


class _Checks:
    """The per-row checks, each distinct value converted and checked once."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.dates: dict[str, date | None] = {}
        self.amounts: dict[tuple[str, str], Decimal | list[str]] = {}
        self.pairs: dict[tuple[date, date], list[str]] = {}
        self.ibans: dict[str, str | None] = {}

    def date(self, raw: str) -> date | None:
        try:
            return self.dates[raw]
        except KeyError:
            try:
                value: date | None = _parse_date(raw)
            except ValueError:
                value = None
            self.dates[raw] = value
            return value

    def amount(self, name: str, raw: str) -> Decimal | list[str]:
        """The amount, or the messages refusing it."""
        key = (name, raw)
        try:
            return self.amounts[key]
        except KeyError:
            pass
        out: Decimal | list[str]
        try:
            out = parse_amount(raw)
        except ValueError:
            out = [
                _("%(f)s « %(v)s » : montant non reconnu.")
                % {"f": FIELDS[name], "v": raw}
            ]
        else:
            if name == "amount" or out != 0:
                try:
                    out = rules.money_amount(out)
                except ValidationError as exc:
                    out = [f"{FIELDS[name]} : {msg}" for msg in exc.messages]
        self.amounts[key] = out
        return out

    def dates_pair(self, issue: date, due: date) -> list[str]:
        key = (issue, due)
        try:
            return self.pairs[key]
        except KeyError:
            pass
        try:
            rules.invoice_dates(issue_date=issue, due_date=due, today=self.today)
            out: list[str] = []
        except ValidationError as exc:
            out = list(exc.messages)
        self.pairs[key] = out
        return out

    def iban(self, raw: str) -> str | None:
        try:
            return self.ibans[raw]
        except KeyError:
            try:
                value: str | None = normalize_iban(raw)
            except ValidationError:
                value = None
            self.ibans[raw] = value
            return value

    def row(self, result: CsvResult, line: int, cells: list[str]) -> InvoiceRow | None:
        errors: list[str] = []
        issue = self.date(cells[_ISSUE])
        due = self.date(cells[_DUE])
        for name, raw, value in (
            ("issue_date", cells[_ISSUE], issue),
            ("due_date", cells[_DUE], due),
        ):
            if value is None:
                errors.append(
                    _(
                        "%(f)s « %(v)s » : format de date non reconnu "
                        "(attendu JJ/MM/AAAA ou AAAA-MM-JJ)."
                    )
                    % {"f": FIELDS[name], "v": raw}
                )
        amount = self.amount("amount", cells[_AMOUNT])
        if isinstance(amount, list):
            errors.extend(amount)
        vat = self.amount("vat_amount", cells[_VAT] or "0")
        if isinstance(vat, list):
            errors.extend(vat)
        if issue is not None and due is not None:
            errors.extend(self.dates_pair(issue, due))
        iban = cells[_IBAN]
        if iban:
            normalized = self.iban(iban)
            if normalized is None:
                errors.append(
                    _("IBAN « %s » invalide (vérifiez les chiffres de contrôle).")
                    % iban
                )
            else:
                iban = normalized
        if not cells[_INVOICE]:
            errors.append(_("Numéro de facture manquant."))
        if not cells[_NAME] and not cells[_NUMBER]:
            errors.append(_("Débiteur manquant (nom ou numéro)."))
        if errors:
            result.errors.setdefault(line, []).extend(errors)
            return None
        return InvoiceRow(
            line,
            cells[_NAME][:200],
            cells[_NUMBER][:20],
            cells[_EMAIL][:254],
            iban,
            cells[_ADDRESS][:200],
            cells[_POSTAL][:20],
            cells[_CITY][:100],
            cells[_INVOICE][:50],
            issue,  # type: ignore[arg-type]
            due,  # type: ignore[arg-type]
            amount,  # type: ignore[arg-type]
            vat,  # type: ignore[arg-type]
            (cells[_CURRENCY] or "EUR").upper()[:3],
            cells[_DESCRIPTION][:300],
        )
