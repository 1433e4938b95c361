"""CAMT.053 parser on the published sample files and on broken input."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from claims.money_in.formats import ParseError
from claims.money_in.formats import camt053


def test_it_reads_a_reversed_batch_and_a_credit(sample):
    entries = camt053.parse(
        sample("camt053", "oca-bank-statement-import_test-camt053.xml")
    )
    # one debit, a reversed direct-debit batch of 2 transactions, one credit
    assert [(e.amount, e.is_credit, e.skip_reason) for e in entries] == [
        (Decimal("754.25"), False, "Débit"),
        (Decimal("564.05"), False, "Extourne (RvslInd)"),
        (Decimal("100.00"), False, "Extourne (RvslInd)"),
        (Decimal("1405.31"), True, ""),
    ]
    credit = entries[-1]
    assert credit.is_candidate
    assert credit.booking_date == date(2014, 1, 5)
    assert credit.counterparty_iban == "NL69ABNA0522123643"


def test_it_splits_a_batch_credit_into_its_transactions(sample):
    entries = camt053.parse(
        sample("camt053", "oca-bank-statement-import_test-camt053-txdtls.xml")
    )
    assert [e.amount for e in entries] == [Decimal("2187.00"), Decimal("1296.00")]
    assert sum(e.amount for e in entries) == Decimal("3483.00")
    assert entries[0].structured_reference == "302388292000011111111111111"
    assert entries[0].currency == "CHF"
    assert "CRÉDIT GROUPÉ" in entries[0].free_text
    assert len({e.idempotency_key for e in entries}) == 2


def test_it_reads_version_8_with_a_structured_reference(sample):
    (entry,) = camt053.parse(sample("camt053", "genkgo-camt_camt053.v8.xml"))
    assert entry.structured_reference == "4654654654654654"
    assert entry.amount == Decimal("8.85")
    assert entry.is_credit


def test_it_reads_two_statements_in_one_message(sample):
    entries = camt053.parse(
        sample("camt053", "genkgo-camt_camt053.v2.multi.statement.xml")
    )
    assert [(e.amount, e.is_credit) for e in entries] == [
        (Decimal("8.85"), True),
        (Decimal("7.00"), False),
    ]


def test_it_accepts_a_statement_without_entries(sample):
    assert (
        camt053.parse(
            sample("camt053", "oca-bank-statement-import_test-camt053-no-ntry.xml")
        )
        == []
    )


def test_the_big_statement_has_4_credits_out_of_268(sample):
    entries = camt053.parse(
        sample("camt053", "camt-to-coda_BE68793230773034-202411.xml")
    )
    assert len(entries) == 268
    assert sum(e.is_candidate for e in entries) == 4


def test_keys_are_stable_across_parses(sample):
    data = sample("camt053", "camt-to-coda_account_statement.xml")
    first = [e.idempotency_key for e in camt053.parse(data)]
    assert first == [e.idempotency_key for e in camt053.parse(data)]
    assert len(set(first)) == 3


def test_it_refuses_a_truncated_file_with_the_line(sample):
    data = sample("camt053", "genkgo-camt_camt053.v8.xml")
    with pytest.raises(ParseError) as exc:
        camt053.parse(data[: len(data) // 2])
    assert "ligne" in exc.value.location


def test_it_refuses_a_wrong_entry_count(sample):
    data = sample("camt053", "tryton-account_statement_sepa_camt.053.001.02.xml")
    assert len(camt053.parse(data)) == 1
    bad = data.replace(b"<NbOfNtries>1</NbOfNtries>", b"<NbOfNtries>2</NbOfNtries>", 1)
    with pytest.raises(ParseError, match="annonce 2") as exc:
        camt053.parse(bad)
    assert "ligne 74" in exc.value.location


def test_it_refuses_an_entity_expansion():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>'
    )
    with pytest.raises(ParseError):
        camt053.parse(data)


def test_it_refuses_other_xml_and_huge_files():
    with pytest.raises(ParseError, match=r"CAMT\.053"):
        camt053.parse(b"<Invoice/>")
    with pytest.raises(ParseError, match="volumineux"):
        camt053.parse(b"<" + b" " * (21 * 1024 * 1024))


def test_it_refuses_a_bad_amount(sample):
    data = sample("camt053", "genkgo-camt_camt053.v8.xml").replace(
        b'<Amt Ccy="EUR">8.85</Amt>', b'<Amt Ccy="EUR">8,85</Amt>'
    )
    with pytest.raises(ParseError, match="Montant invalide"):
        camt053.parse(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_parse_error(data):
    with contextlib.suppress(ParseError):
        camt053.parse(data)


def test_it_refuses_a_wrong_encoding(sample):
    data = sample("camt053", "oca-bank-statement-import_test-camt053-txdtls.xml")
    latin1 = data.decode("utf-8").encode("latin-1")  # still declared UTF-8
    with pytest.raises(ParseError, match="XML invalide") as exc:
        camt053.parse(latin1)
    assert exc.value.location.startswith("ligne")


def test_an_amount_with_more_than_two_decimals_is_refused():
    """0.004 or 10.005: refused with a message, never rounded to another amount."""
    from tests.claims.imports.test_services_bank import _camt

    for amount in ("0.004", "10.005", "12.34567"):
        with pytest.raises(ParseError, match="Montant invalide"):
            camt053.parse(_camt([(amount, "", "", "")]))
