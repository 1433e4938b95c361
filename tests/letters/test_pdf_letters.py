"""The PDFs read back: mandatory mentions, amounts, and a scannable EPC QR code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims.ledger.validators import ogm_is_valid
from letters.services import letter_render
from tests import factories as f
from tests.letters.helpers import pdf_qr_codes
from tests.letters.helpers import pdf_text

pytestmark = pytest.mark.django_db

AT = dt.date(2026, 3, 2)


def be_claim(kind: str = "business", language: str = "fr"):
    creditor = f.CreditorFactory(legal_name="Boulangerie Dumont")
    factory = f.ConsumerFactory if kind == "consumer" else f.DebtorFactory
    debtor = factory(creditor=creditor, language=language, name="Marie Lambert")
    return f.ClaimFactory(
        creditor=creditor,
        debtor=debtor,
        reference="C-2026-0042",
        structured_reference="+++123/4567/89002+++",
        invoices=[{"amount": Decimal("1210.00")}, {"amount": Decimal("345.50")}],
    )


def test_be_consumer_first_reminder_holds_book_xix_mentions():
    claim = be_claim("consumer")
    text = pdf_text(letter_render(claim=claim, kind="first_reminder", at=AT))
    assert "Premier rappel de paiement" in text
    assert "Ce premier rappel est gratuit." in text
    assert "1 555,50 €" in text  # 1 210,00 + 345,50 (narrow no-break space)
    # 14 days from the day after the e-mail (2 March → 3..16 March)
    assert "commence le 3 mars 2026" in text
    assert "se termine le 16 mars 2026 inclus" in text
    # No penalty clause in the creditor's terms: no indemnity announced (art.
    # XIX.4 CDE: only what the contract provides), the legal rate as a figure.
    assert "indemnité" not in text.lower()
    assert "taux d'intérêt légal, soit" in text
    assert "0403.170.701" in text  # creditor enterprise number
    assert "C-2026-0042-1" in text
    assert "14/02/2026" in text
    assert "+++123/4567/89002+++" in text


@pytest.mark.parametrize(
    ("country", "kind", "expected"),
    [
        ("BE", "business", "art. 1394/20"),
        ("BE", "consumer", "XIX.4"),
        ("FR", "business", "L441-10"),
        ("FR", "consumer", "article 1344 du Code civil"),
    ],
)
def test_formal_notice_names_the_rules_of_its_country_and_debtor(
    country, kind, expected
):
    creditor = f.CreditorFactory() if country == "BE" else f.FrenchCreditorFactory()
    factory = f.ConsumerFactory if kind == "consumer" else f.DebtorFactory
    claim = f.ClaimFactory(creditor=creditor, debtor=factory(creditor=creditor))
    text = pdf_text(letter_render(claim=claim, kind="formal_notice", at=AT))
    assert "Mise en demeure" in text
    assert expected in text
    assert "1 210,00 €" in text
    assert "17 mars 2026" in text  # 15 days after 2 March


def test_formal_notice_qr_is_an_epc_payload_matching_the_statement():
    claim = be_claim()
    pdf = letter_render(claim=claim, kind="formal_notice", at=AT)
    codes = pdf_qr_codes(pdf)
    assert len(codes) == 1
    lines = codes[0].split("\n")
    assert lines[:4] == ["BCD", "002", "1", "SCT"]
    assert lines[4] == "GKCCBEBB"
    assert lines[6] == "BE68539007547034"
    from claims.ledger.statements import message_statement

    # Interest up to the deadline (2 March + 15 days) included.
    due = message_statement(
        claim=claim,
        kind="formal_notice",
        sent_on=AT,
        channel="email",
        until=dt.date(2026, 3, 17),
    ).total_due
    assert lines[7] == f"EUR{due:.2f}"
    assert lines[9] == "123456789002"
    assert ogm_is_valid(lines[9])
    assert len(codes[0].encode()) <= 331


@pytest.mark.parametrize(
    ("language", "title", "amount"),
    [
        ("nl", "Ingebrekestelling", "€ 1.555,50"),
        ("en", "Formal notice", "€1,555.50"),
    ],
)
def test_formal_notice_speaks_the_debtor_language(language, title, amount):
    claim = be_claim(language=language)
    text = pdf_text(letter_render(claim=claim, kind="formal_notice", at=AT))
    assert title in text
    assert amount in text


def _pages(pdf: bytes) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    import subprocess
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        out = subprocess.run(
            ["pdftotext", "-layout", str(src), "-"], capture_output=True, check=True
        ).stdout.decode()
    pages = [" ".join(p.replace("\u00a0", " ").split()) for p in out.split("\f")]
    return [p for p in pages if p]


@pytest.mark.parametrize("n_invoices", [6, 11, 16])
def test_every_page_says_page_x_of_y_and_the_total_block_is_never_split(n_invoices):
    """Long statements run over pages: each page is numbered "page x / y", and
    the summary block (principal … total) stays on one page with its total."""
    creditor = f.CreditorFactory(legal_name="Boulangerie Dumont")
    claim = f.ClaimFactory(
        creditor=creditor,
        debtor=f.DebtorFactory(creditor=creditor),
        invoices=[{"amount": Decimal("100.00") + n} for n in range(n_invoices)],
    )
    pages = _pages(letter_render(claim=claim, kind="formal_notice", at=AT))
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Boulangerie Dumont — page {number} / {len(pages)}" in page
    # The notice's total row is the amount to pay by the deadline, interest to
    # that day included (one statement, `claims.ledger.statements.amount_to_pay`).
    total_row = "À payer au plus tard le"
    with_total = [p for p in pages if total_row in p]
    assert len(with_total) == 1
    block = with_total[0].split(total_row)[0]
    assert "Principal" in block
    assert "Solde au 2 mars 2026" in block
