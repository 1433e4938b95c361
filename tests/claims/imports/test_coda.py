"""CODA v2 parser on the published sample files and on broken input."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from claims.imports import ParseError
from claims.imports import coda


def test_it_reads_a_structured_communication(sample):
    entries = coda.parse(
        sample("coda", "oca-l10n-belgium_Ontvangen_CODA.2012-01-11-18.59.15.txt")
    )
    assert len(entries) == 5  # globalised details are not extra movements
    credit = entries[1]
    assert credit.amount == Decimal("3044.45")
    assert credit.structured_reference == "240283842818"
    assert credit.counterparty_iban == "BE61310126985517"
    assert credit.counterparty_name == "PARTNER 2"
    assert credit.booking_date == date(2012, 1, 11)
    assert [e.is_candidate for e in entries] == [False, True, False, False, True]


def test_it_reads_concatenated_files(sample):
    entries = coda.parse(
        sample("coda", "oca-l10n-belgium_Coda_iban_v2_3_multi_statements.txt")
    )
    assert [(e.amount, e.is_credit) for e in entries] == [
        (Decimal("122.40"), False),
        (Decimal("100000.00"), True),
    ]
    assert entries[1].counterparty_iban == "NL34BKMG0261239759"


def test_it_reads_crlf_and_two_accounts(sample):
    entries = coda.parse(sample("coda", "pycoda_Coda_v2_3_multi_statements.txt"))
    assert len({e.account for e in entries}) == 2
    assert len({e.idempotency_key for e in entries}) == len(entries) == 28


def test_it_reads_four_credits_with_ogm(sample):
    entries = coda.parse(sample("coda", "php-coda-parser_sample1.cod"))
    assert [e.structured_reference for e in entries] == [
        "000003505158",
        "000003515846",
        "000003154982",
        "000002133131",
    ]
    assert sum(e.amount for e in entries) == Decimal("80.00")


def test_it_reads_the_minimal_file(sample):
    (entry,) = coda.parse(sample("coda", "tryton-account_statement_coda_CODA.txt"))
    assert (entry.amount, entry.free_text, entry.account) == (
        Decimal("100.00"),
        "COMMUNICATION",
        "BE47435000000080",
    )


def test_it_refuses_totals_that_contradict_the_movements(sample):
    data = sample("coda", "php-coda-parser_sample6.cod")
    with pytest.raises(ParseError, match="Totaux incohérents") as exc:
        coda.parse(data)
    assert exc.value.location == "ligne 17"
    # read anyway when asked: OGM digits also appear in free communications
    entries = coda.parse(data, check_totals=False)
    assert [e.structured_reference for e in entries] == ["", "112455446812", ""]
    assert "112/4554/46812" in entries[0].free_text


def test_it_refuses_a_truncated_file(sample):
    data = sample("coda", "php-coda-parser_sample1.cod")
    lines = data.split(b"\n")
    with pytest.raises(ParseError, match="tronqué"):
        coda.parse(b"\n".join(lines[:-1]))
    with pytest.raises(ParseError, match="128 caractères") as exc:
        coda.parse(data[:-40])
    assert exc.value.location.startswith("ligne")


def test_it_refuses_a_missing_record(sample):
    data = sample("coda", "tryton-account_statement_coda_CODA.txt")
    lines = data.split(b"\n")
    with pytest.raises(ParseError, match="annonce 3"):
        coda.parse(b"\n".join(lines[:2] + lines[3:]))


def test_it_refuses_wrong_encoding():
    with pytest.raises(ParseError):
        coda.parse("0ééé".encode("utf-16"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_parse_error(data):
    with contextlib.suppress(ParseError):
        coda.parse(data)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(alphabet="0123456789 AB", min_size=128, max_size=128), max_size=6)
)
def test_random_records_raise_only_parse_error(lines):
    with contextlib.suppress(ParseError):
        coda.parse("\n".join(lines).encode())


def test_a_non_ascii_digit_in_an_amount_is_a_parse_error(sample):
    """"²".isdigit() is True in Python; Decimal("²") is not a number."""
    lines = (
        sample("coda", "tryton-account_statement_coda_CODA.txt")
        .decode("latin-1")
        .splitlines(keepends=True)
    )
    i = next(n for n, line in enumerate(lines) if line.startswith("21"))
    line = lines[i]
    lines[i] = line[:40] + "²" + line[41:]
    with pytest.raises(ParseError, match="Montant invalide"):
        coda.parse("".join(lines).encode("latin-1"))
