"""CSV invoices: parsing, per-row errors in French, all-or-nothing import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from claims.models import Claim
from claims.models import Debtor
from claims.models import Event
from claims.models import ImportMapping
from claims.models import Invoice
from claims.money_in.formats import ParseError
from claims.money_in.formats import csvfile
from claims.money_in.invoices import ImportRefused
from claims.money_in.invoices import import_mapping_get
from claims.money_in.invoices import invoices_csv_import
from claims.money_in.invoices import invoices_csv_preview
from tests import factories as f
from tests.figures import statement_balance

HEADER = "Client;N° TVA;IBAN;Facture;Date facture;Échéance;Montant TTC\n"
MAPPING = {
    "debtor_name": "Client",
    "debtor_number": "N° TVA",
    "debtor_iban": "IBAN",
    "invoice_number": "Facture",
    "issue_date": "Date facture",
    "due_date": "Échéance",
    "amount": "Montant TTC",
}


def test_amounts_and_dates_in_local_formats():
    assert csvfile.parse_amount("1 234,56") == Decimal("1234.56")
    assert csvfile.parse_amount("1.234,56") == Decimal("1234.56")
    assert csvfile.parse_amount("1,234.56 €") == Decimal("1234.56")
    assert csvfile.parse_date("31/01/2026") == date(2026, 1, 31)
    assert csvfile.parse_date("2026-01-31") == date(2026, 1, 31)
    with pytest.raises(ValueError, match="12,345,6x"):
        csvfile.parse_amount("12,345,6x")


def test_mapping_is_guessed_from_the_header():
    guessed = csvfile.guess_mapping(HEADER.strip().split(";"))
    assert guessed["debtor_name"] == "Client"
    assert guessed["due_date"] == "Échéance"
    assert guessed["amount"] == "Montant TTC"
    assert guessed["debtor_iban"] == "IBAN"


def test_per_row_errors_in_plain_french():
    data = (
        HEADER
        + "Dupont SA;BE0202239951;BE71096123456769;F1;01/02/2026;03/03/2026;121,00\n"
        + "Martin;;BE00 1234;F2;01/02/2026;03/03/2026;10\n"
        + "Martin;;;F3;2026-13-01;03/03/2026;10\n"
        + "Martin;;;F1;01/02/2026;03/03/2026;10\n"
    ).encode("cp1252")
    result = csvfile.parse(data, MAPPING)
    assert [r.invoice_number for r in result.rows] == ["F1"]
    assert "IBAN « BE00 1234 » invalide" in result.errors[3][0]
    assert "format de date non reconnu" in result.errors[4][0]
    assert "en double (déjà à la ligne 2)" in result.errors[5][0]


def test_missing_mapping_is_refused():
    with pytest.raises(ParseError, match="Échéance"):
        csvfile.parse(
            HEADER.encode(), {k: v for k, v in MAPPING.items() if k != "due_date"}
        )


@pytest.fixture
def creditor(db):
    return f.CreditorFactory()


def test_it_imports_all_rows_and_remembers_the_mapping(creditor):
    known = f.DebtorFactory(
        creditor=creditor, name="Ancien client", vat_number="BE0202239951"
    )
    data = (
        HEADER
        + "X;BE0202239951;;F-100;01/02/2026;03/03/2026;121,00\n"
        + "Nouveau SRL;;;F-101;01/02/2026;03/03/2026;1.000,00\n"
        + "Nouveau SRL;;;F-102;02/02/2026;04/03/2026;50\n"
    ).encode()
    ids = invoices_csv_import(creditor=creditor, data=data, mapping=MAPPING)
    assert len(ids) == 3
    claims = Claim.objects.filter(pk__in=ids).order_by("pk")
    assert [c.debtor_id == known.pk for c in claims] == [True, False, False]
    assert claims[1].debtor_id == claims[2].debtor_id
    assert [c.principal for c in claims] == [
        Decimal("121.00"),
        Decimal("1000.00"),
        Decimal("50.00"),
    ]
    # Stored on import: the statement's total (late by now: interest, fees).
    assert [c.balance for c in claims] == [statement_balance(c) for c in claims]
    assert all(c.structured_reference.startswith("+++") for c in claims)
    assert len({c.structured_reference for c in claims}) == 3
    assert Event.objects.filter(claim__in=ids, kind=Event.Kind.CREATED).count() == 3
    assert import_mapping_get(creditor=creditor) == MAPPING


def test_one_bad_row_imports_nothing(creditor):
    f.ClaimFactory(creditor=creditor, reference="C-1")
    existing = Invoice.objects.get().number
    data = (
        HEADER
        + "Nouveau SRL;;;F-101;01/02/2026;03/03/2026;10\n"
        + f"Nouveau SRL;;;{existing};01/02/2026;03/03/2026;10\n"
        + ";0999999999;;F-103;01/02/2026;03/03/2026;10\n"
    ).encode()
    preview = invoices_csv_preview(creditor=creditor, data=data, mapping=MAPPING)
    assert preview.errors[3] == [f"La facture {existing} a déjà été importée."]
    assert "Débiteur inconnu" in preview.errors[4][0]
    with pytest.raises(ImportRefused):
        invoices_csv_import(creditor=creditor, data=data, mapping=MAPPING)
    assert Claim.objects.count() == 1
    assert not Debtor.objects.filter(name="Nouveau SRL").exists()
    assert not ImportMapping.objects.exists()


def test_binary_file_is_refused():
    with pytest.raises(ParseError, match="CSV"):
        csvfile.read_table(b"PK\x03\x04\x00\x00binary")


# ---------------------------------------------------------------- ledger rules


def test_an_invoice_dated_next_year_is_a_refused_row(db):
    from claims.ledger.rules import creditor_today

    creditor = f.CreditorFactory()
    year = creditor_today(creditor).year + 1
    data = (
        HEADER
        + "Dupont SA;;;F1;01/02/2026;03/03/2026;121,00\n"
        + f"Dupont SA;;;F2;05/01/{year};05/02/{year};121,00\n"
    ).encode()
    preview = invoices_csv_preview(creditor=creditor, data=data, mapping=MAPPING)
    assert list(preview.errors) == [3]
    assert "dans le futur" in preview.errors[3][0]
    with pytest.raises(ImportRefused):
        invoices_csv_import(creditor=creditor, data=data, mapping=MAPPING)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("NaN", "non reconnu"),
        ("Infinity", "non reconnu"),
        ("1E+15", "trop élevé"),
        ("0,00", "positif"),
        ("0,004", "non reconnu"),
        ("-5", "positif"),
    ],
)
def test_nonsense_amounts_are_refused_rows_not_500s(db, amount, words):
    creditor = f.CreditorFactory()
    data = (HEADER + f"Dupont SA;;;F1;01/02/2026;03/03/2026;{amount}\n").encode()
    preview = invoices_csv_preview(creditor=creditor, data=data, mapping=MAPPING)
    assert preview.rows == []
    assert any(words in e for e in preview.errors[2])
    with pytest.raises(ImportRefused):
        invoices_csv_import(creditor=creditor, data=data, mapping=MAPPING)
    assert not Claim.objects.exists()
