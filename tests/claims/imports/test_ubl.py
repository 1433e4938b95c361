"""UBL / Peppol invoices and credit notes on the published samples."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from claims.models import Claim
from claims.models import Invoice
from claims.money_in.formats import ParseError
from claims.money_in.formats import ubl
from claims.money_in.invoices import ImportRefused
from claims.money_in.invoices import ubl_import
from claims.money_in.invoices import ubl_preview
from tests import factories as f


def test_peppol_base_example(sample):
    doc = ubl.parse(sample("ubl", "peppol-bis-invoice-3_base-example.xml"))
    assert (doc.number, doc.is_credit_note, doc.amount, doc.vat_amount) == (
        "Snippet1",
        False,
        Decimal("1656.25"),
        Decimal("331.25"),
    )
    assert doc.due_date == date(2017, 12, 1)
    assert doc.buyer.vat_number == "SE4598375937"


def test_prepaid_amount_is_deducted(sample):
    doc = ubl.parse(sample("ubl", "peppol-bis-invoice-3_Allowance-example.xml"))
    assert (doc.tax_inclusive, doc.prepaid, doc.amount) == (
        Decimal("7125.00"),
        Decimal("1000.00"),
        Decimal("6125.00"),
    )


def test_ubl_20_efff_with_ogm_in_instruction_id(sample):
    doc = ubl.parse(sample("ubl", "oca-edi_efff_BE0505890632_160421_Inv_16117778.xml"))
    assert doc.structured_reference == "601611777874"
    assert doc.due_date == date(2016, 4, 28)  # only in PaymentMeans/PaymentDueDate
    assert doc.amount == Decimal("37.51")


def test_invalid_ogm_is_not_taken(sample):
    doc = ubl.parse(sample("ubl", "gobl.ubl_nbio-stuck-ubl.xml"))
    assert doc.payment_id == "020250000001"
    assert doc.structured_reference == ""


def test_formatted_ogm(sample):
    doc = ubl.parse(sample("ubl", "odoo_bis3_out_invoice.xml"))
    assert doc.structured_reference == "000000026268"


def test_negative_invoice_is_a_credit_note(sample):
    doc = ubl.parse(
        sample("ubl", "peppol-bis-invoice-3_base-negative-inv-correction.xml")
    )
    assert (doc.is_credit_note, doc.amount, doc.credited_number) == (
        True,
        Decimal("1656.25"),
        "Snippet1",
    )


def test_no_due_date(sample):
    doc = ubl.parse(sample("ubl", "peppol-bis-invoice-3_vat-category-E.xml"))
    assert doc.due_date is None
    assert doc.currency == "GBP"


def test_not_ubl_is_refused(sample):
    with pytest.raises(ParseError, match="UBL"):
        ubl.parse(sample("camt053", "genkgo-camt_camt053.v8.xml"))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_parse_error(data):
    with contextlib.suppress(ParseError):
        ubl.parse(data)


def test_invoice_then_credit_note_reduce_the_claim(db, sample):
    creditor = f.CreditorFactory()
    claims = ubl_import(
        creditor=creditor,
        files=[
            (
                "cn.xml",
                sample("ubl", "peppol-bis-invoice-3_base-creditnote-correction.xml"),
            ),
            ("inv.xml", sample("ubl", "peppol-bis-invoice-3_base-example.xml")),
        ],
    )
    claim = Claim.objects.get(pk=claims[0].pk)
    assert claims[0].pk == claims[1].pk
    assert claim.balance == Decimal("0.00")  # 1656.25 − 1656.25
    note = Invoice.objects.get(kind="credit_note")
    assert note.credited_invoice.number == "Snippet1"


def test_document_ogm_becomes_the_claim_reference(db, sample):
    creditor = f.CreditorFactory()
    (claim,) = ubl_import(
        creditor=creditor,
        files=[
            (
                "e.xml",
                sample("ubl", "oca-edi_efff_BE0505890632_160421_Inv_16117778.xml"),
            )
        ],
    )
    assert claim.structured_reference == "+++601/6117/77874+++"
    assert claim.debtor.name == "AttOra"


def test_a_bad_file_imports_nothing(db, sample):
    creditor = f.CreditorFactory()
    files = [
        ("ok.xml", sample("ubl", "peppol-bis-invoice-3_base-example.xml")),
        ("cn.xml", sample("ubl", "eInvoicing-EN16931_ubl-tc434-creditnote1.xml")),
        ("bad.xml", b"<Invoice"),
    ]
    items = ubl_preview(creditor=creditor, files=files)
    assert items[0].errors == []
    assert "BillingReference" in items[1].errors[0]
    assert "ligne" in items[2].errors[0]
    with pytest.raises(ImportRefused):
        ubl_import(creditor=creditor, files=files)
    assert not Claim.objects.exists()


# ---------------------------------------------------------------- ledger rules


def _next_year(data: bytes, creditor) -> bytes:
    from claims.ledger.rules import creditor_today

    year = creditor_today(creditor).year + 1
    return data.replace(b"2017-11-13", f"{year}-01-05".encode()).replace(
        b"2017-12-01", f"{year}-02-05".encode()
    )


def test_an_invoice_dated_next_year_is_refused_and_nothing_imported(db, sample):
    creditor = f.CreditorFactory()
    data = _next_year(sample("ubl", "peppol-bis-invoice-3_base-example.xml"), creditor)
    (item,) = ubl_preview(creditor=creditor, files=[("next.xml", data)])
    assert any("dans le futur" in e for e in item.errors)
    with pytest.raises(ImportRefused, match="futur"):
        ubl_import(creditor=creditor, files=[("next.xml", data)])
    assert not Claim.objects.exists()
    assert not Invoice.objects.exists()


def test_a_credit_note_larger_than_its_invoice_is_refused(db, sample):
    creditor = f.CreditorFactory()
    ubl_import(
        creditor=creditor,
        files=[("inv.xml", sample("ubl", "peppol-bis-invoice-3_base-example.xml"))],
    )
    note = sample("ubl", "peppol-bis-invoice-3_base-creditnote-correction.xml")
    big = note.replace(b">1656.25<", b">5000.00<")
    (item,) = ubl_preview(creditor=creditor, files=[("cn.xml", big)])
    assert any("dépasse" in e and "Snippet1" in e for e in item.errors)
    with pytest.raises(ImportRefused):
        ubl_import(creditor=creditor, files=[("cn.xml", big)])
    assert not Invoice.objects.filter(kind="credit_note").exists()
    assert Claim.objects.get().principal == Decimal("1656.25")


def test_two_credit_notes_in_one_batch_cannot_exceed_their_invoice(db, sample):
    creditor = f.CreditorFactory()
    note = sample("ubl", "peppol-bis-invoice-3_base-creditnote-correction.xml")
    second = note.replace(b"<cbc:ID>Snippet1</cbc:ID>\n", b"<cbc:ID>NC-2</cbc:ID>\n", 1)
    items = ubl_preview(
        creditor=creditor,
        files=[
            ("inv.xml", sample("ubl", "peppol-bis-invoice-3_base-example.xml")),
            ("cn1.xml", note),
            ("cn2.xml", second),
        ],
    )
    assert items[1].errors == []
    assert any("dépasse" in e for e in items[2].errors)


def test_an_amount_with_three_decimals_is_refused_not_rounded(sample):
    data = sample("ubl", "peppol-bis-invoice-3_base-example.xml").replace(
        b'<cbc:PayableAmount currencyID="EUR">1656.25<',
        b'<cbc:PayableAmount currencyID="EUR">1656.255<',
    )
    with pytest.raises(ParseError, match="deux décimales"):
        ubl.parse(data)


def test_two_files_with_one_invoice_number_are_refused_at_preview(db, sample):
    creditor = f.CreditorFactory()
    data = sample("ubl", "peppol-bis-invoice-3_base-example.xml")
    items = ubl_preview(creditor=creditor, files=[("a.xml", data), ("b.xml", data)])
    assert all(
        any("plusieurs fois dans cet envoi" in e for e in i.errors) for i in items
    )
    with pytest.raises(ImportRefused):
        ubl_import(creditor=creditor, files=[("a.xml", data), ("b.xml", data)])
    assert not Invoice.objects.exists()


def test_a_file_over_the_upload_limit_is_named_not_dropped(client, cast, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from claims.web.views import imports as views

    client.force_login(cast.owner)
    big = SimpleUploadedFile("big.xml", b"<x/>" * 10, content_type="text/xml")
    small_limit = 8
    old = views.MAX_UPLOAD
    views.MAX_UPLOAD = small_limit
    try:
        page = client.post(reverse("claims:ubl_import"), {"files": [big]})
    finally:
        views.MAX_UPLOAD = old
    text = page.content.decode()
    assert "big.xml" in text
    assert "Fichier trop volumineux" in text
