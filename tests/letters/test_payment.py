"""EPC069-12 payloads: field order, limits, Belgian OGM digits (no DB)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from letters.payment import EpcError
from letters.payment import epc_payload
from letters.payment import format_ogm


def test_it_builds_a_version_002_sct_payload_with_ogm_digits():
    payload = epc_payload(
        name="Boulangerie Dumont",
        iban="BE68 5390 0754 7034",
        bic="GKCCBEBB",
        amount=Decimal("1555.5"),
        reference="+++123/4567/89002+++",
    )
    assert payload == (
        "BCD\n002\n1\nSCT\nGKCCBEBB\nBoulangerie Dumont\nBE68539007547034\n"
        "EUR1555.50\n\n123456789002"
    )


def test_without_a_valid_reference_the_text_goes_to_line_11():
    payload = epc_payload(
        name="Traiteur",
        iban="FR1420041010050500013M02606",
        amount=Decimal("10.00"),
        reference="C-1",
        text="Facture C-1",
    )
    lines = payload.split("\n")
    assert lines[4] == ""  # BIC optional in version 002
    assert lines[9] == ""
    assert lines[10] == "Facture C-1"


def test_rf_references_are_kept_structured():
    payload = epc_payload(
        name="X",
        iban="FR1420041010050500013M02606",
        amount=Decimal("1"),
        reference="RF18 5390 0754 7034",
    )
    assert payload.endswith("\nRF18539007547034")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"amount": Decimal("0.00")},
        {"amount": Decimal("1000000000.00")},
        {"name": "N" * 71},
        {"bic": "GKCCBE"},
        {"text": "é" * 140, "name": "é" * 70},  # over 331 bytes in UTF-8
    ],
)
def test_it_refuses_what_the_standard_forbids(kwargs):
    args = {"name": "Dumont", "iban": "BE68539007547034", "amount": Decimal("1")}
    args.update(kwargs)
    with pytest.raises(EpcError):
        epc_payload(**args)


def test_format_ogm_writes_the_bank_form():
    assert format_ogm("123456789002") == "+++123/4567/89002+++"
    assert format_ogm("not an ogm") == "not an ogm"
