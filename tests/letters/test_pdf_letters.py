"""The PDFs read back: mandatory mentions, amounts, and a scannable EPC QR code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims.validators import ogm_is_valid
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
    assert "1 555,50 €" in text  # 1 210,00 + 345,50
    # 14 days from the day after the e-mail (2 March → 3..16 March)
    assert "jusqu'au 16 mars 2026 inclus" in text
    # XIX.4 cap: 65 + 5 % × (1 555,50 − 500) = 117,775 → 117,78 €
    assert "117,78 €" in text
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
    from claims.statements import claim_statement

    assert lines[7] == f"EUR{claim_statement(claim=claim, at=AT).total_due:.2f}"
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
