"""CSV of debtors and invoices: decode, map columns, convert, report per-row errors.

Pure: no ORM. File-level problems (encoding, no header, size) raise ParseError;
row-level problems are collected as plain-language messages so the preview can
show every one of them before anything is imported.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

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


@dataclass(frozen=True)
class InvoiceRow:
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


def read_table(data: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows; the delimiter (; , tab) is detected from the header."""
    text = decode(data)
    if "\x00" in text:
        raise ParseError(_("Ce n'est pas un fichier texte CSV."), "fichier")
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
        rows = []
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise ParseError(
                    f"Trop de lignes (maximum {MAX_ROWS}).", f"ligne {reader.line_num}"
                )
            rows.append(row)
    except StopIteration:
        raise ParseError(_("Le fichier est vide."), "ligne 1") from None
    except csv.Error as exc:
        raise ParseError(
            f"CSV illisible ({exc}).", f"ligne {reader.line_num}"
        ) from None
    if not any(header):
        raise ParseError(
            _("La première ligne doit contenir les noms de colonnes."), "ligne 1"
        )
    return header, rows


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
    """Convert every row; collect per-row errors in plain French.

    The ledger rules (claims.ledger.rules) apply to every row: amount, invoice
    date not after ``today`` (the creditor's; unchecked when None), due date
    not before the invoice date."""
    headers, rows = read_table(data)
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
    seen: dict[str, int] = {}
    for offset, row in enumerate(rows):
        line = offset + 2
        if not any(cell.strip() for cell in row):
            continue
        converted = _row(result, line, row, position, today)
        if converted is None:
            continue
        if converted.invoice_number in seen:
            result.add_error(
                line,
                f"Numéro de facture {converted.invoice_number} en double "
                f"(déjà à la ligne {seen[converted.invoice_number]}).",
            )
            continue
        seen[converted.invoice_number] = line
        result.rows.append(converted)
    return result


def _row(
    result: CsvResult,
    line: int,
    row: list[str],
    position: dict[str, int],
    today: date | None = None,
) -> InvoiceRow | None:
    def get(name: str) -> str:
        index = position.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    errors_before = len(result.errors.get(line, []))
    values: dict[str, object] = {}
    for name in ("issue_date", "due_date"):
        try:
            values[name] = parse_date(get(name))
        except ValueError:
            result.add_error(
                line,
                _(
                    "%(f)s « %(v)s » : format de date non reconnu "
                    "(attendu JJ/MM/AAAA ou AAAA-MM-JJ)."
                )
                % {"f": FIELDS[name], "v": get(name)},
            )
    for name in ("amount", "vat_amount"):
        raw = get(name) or ("0" if name == "vat_amount" else "")
        try:
            values[name] = parse_amount(raw)
        except ValueError:
            result.add_error(
                line,
                _("%(f)s « %(v)s » : montant non reconnu.")
                % {"f": FIELDS[name], "v": raw},
            )
    if isinstance(values.get("amount"), Decimal):
        try:
            values["amount"] = rules.money_amount(values["amount"])
        except ValidationError as exc:
            for msg in exc.messages:
                result.add_error(line, f"{FIELDS['amount']} : {msg}")
    vat = values.get("vat_amount")
    if isinstance(vat, Decimal) and vat != 0:
        try:
            values["vat_amount"] = rules.money_amount(vat)
        except ValidationError as exc:
            for msg in exc.messages:
                result.add_error(line, f"{FIELDS['vat_amount']} : {msg}")
    if isinstance(values.get("issue_date"), date) and isinstance(
        values.get("due_date"), date
    ):
        try:
            rules.invoice_dates(
                issue_date=values["issue_date"],  # type: ignore[arg-type]
                due_date=values["due_date"],  # type: ignore[arg-type]
                today=today or date.max,
            )
        except ValidationError as exc:
            for msg in exc.messages:
                result.add_error(line, msg)
    iban = get("debtor_iban")
    if iban:
        try:
            iban = normalize_iban(iban)
        except ValidationError:
            result.add_error(
                line,
                _("IBAN « %s » invalide (vérifiez les chiffres de contrôle).") % iban,
            )
    if not get("invoice_number"):
        result.add_error(line, _("Numéro de facture manquant."))
    if not get("debtor_name") and not get("debtor_number"):
        result.add_error(line, _("Débiteur manquant (nom ou numéro)."))
    if len(result.errors.get(line, [])) > errors_before:
        return None
    return InvoiceRow(
        line=line,
        debtor_name=get("debtor_name")[:200],
        debtor_number=get("debtor_number")[:20],
        debtor_email=get("debtor_email")[:254],
        debtor_iban=iban,
        debtor_address=get("debtor_address")[:200],
        debtor_postal_code=get("debtor_postal_code")[:20],
        debtor_city=get("debtor_city")[:100],
        invoice_number=get("invoice_number")[:50],
        issue_date=values["issue_date"],  # type: ignore[arg-type]
        due_date=values["due_date"],  # type: ignore[arg-type]
        amount=values["amount"],  # type: ignore[arg-type]
        vat_amount=values["vat_amount"],  # type: ignore[arg-type]
        currency=(get("currency") or "EUR").upper()[:3],
        description=get("description")[:300],
    )
