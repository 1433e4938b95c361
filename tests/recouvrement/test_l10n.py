"""Amounts and dates, written and read the way each language does (claims.l10n)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from claims.l10n import AmountError
from claims.l10n import AmountField
from claims.l10n import format_amount
from claims.l10n import format_date
from claims.l10n import format_number
from claims.l10n import format_rate
from claims.l10n import parse_amount

NBSP = "\u00a0"
NNBSP = "\u202f"  # French groups thousands with a narrow no-break space


@pytest.fixture(autouse=True)
def _french():
    """French, the source language, unless a test says otherwise."""
    with translation.override("fr"):
        yield


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        (D("1234.56"), "fr", f"1{NNBSP}234,56{NBSP}€"),
        (D("1234.56"), "nl", f"€{NBSP}1.234,56"),
        (D("1234.56"), "en", "€1,234.56"),
        (D("1234567.5"), "fr", f"1{NNBSP}234{NNBSP}567,50{NBSP}€"),
        (D("1234567.5"), "nl", f"€{NBSP}1.234.567,50"),
        (D("1234567.5"), "en", "€1,234,567.50"),
        (D("-40"), "fr", f"-40,00{NBSP}€"),
        (D("-40"), "nl", f"-€{NBSP}40,00"),
        (D("-40"), "en", "-€40.00"),
        (D("0.005"), "fr", f"0,01{NBSP}€"),  # half up, to the cent
        # The value that once showed as "1234.56000000000 EUR".
        (D("1234.56000000000"), "fr", f"1{NNBSP}234,56{NBSP}€"),
        (D("999.999"), "en", "€1,000.00"),
    ],
)
def test_amounts_are_written_one_way_per_language(value, lang, shown):
    assert format_amount(value, "EUR", lang=lang) == shown


def test_the_active_language_is_the_default():
    with translation.override("nl"):
        assert format_amount(D("12.5")) == f"€{NBSP}12,50"
    with translation.override("en"):
        assert format_number(D("1234.5"), 1) == "1,234.5"


def test_other_currencies_keep_their_code_and_nothing_is_invented():
    assert format_amount(D("10"), "USD", lang="fr") == f"10,00{NBSP}USD"
    assert format_amount(None, lang="fr") == ""
    assert format_amount("abc", lang="fr") == ""
    assert format_amount(D("NaN"), lang="fr") == ""


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        # The ECB rate 2.15 % once shown as "BCE 2.150 %".
        (D("2.150"), "fr", f"2,15{NBSP}%"),
        (D("2.150"), "nl", f"2,15{NBSP}%"),
        (D("2.150"), "en", "2.15%"),
        (D("10.5"), "fr", f"10,5{NBSP}%"),
        (D("12"), "en", "12%"),
    ],
)
def test_rates_drop_trailing_zeros(value, lang, shown):
    assert format_rate(value, lang=lang) == shown


def test_dates_are_day_first_in_every_language():
    for lang in ("fr", "nl", "en"):
        assert format_date(dt.date(2026, 3, 9), lang=lang) == "09/03/2026"
    assert format_date("2026-11-28") == "28/11/2026"
    assert format_date(None) == ""


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1.000,00", D("1000.00")),  # Belgium
        ("1 000,00", D("1000.00")),  # France, plain space
        (f"1{NBSP}000,00", D("1000.00")),  # copied from a French page
        ("1\u202f000,00", D("1000.00")),  # narrow no-break space
        ("1000.00", D("1000.00")),
        ("1,000.00", D("1000.00")),
        ("1000,5", D("1000.50")),
        ("1000", D("1000.00")),
        ("1.000", D("1000.00")),  # three digits after the mark: a thousand
        ("1,000", D("1000.00")),
        ("12,34", D("12.34")),
        ("12.3", D("12.30")),
        ("1.234.567,89", D("1234567.89")),
        ("€ 12", D("12.00")),
        ("12 EUR", D("12.00")),
        (f"{format_amount(D('1234.56'), lang='fr')}", D("1234.56")),
        (f"{format_amount(D('1234.56'), lang='nl')}", D("1234.56")),
        (f"{format_amount(D('1234.56'), lang='en')}", D("1234.56")),
        ("-5", D("-5.00")),  # the caller's rules judge the sign
        ("  42,00  ", D("42.00")),
    ],
)
def test_amounts_are_read_the_way_people_type_them(typed, read):
    assert parse_amount(typed) == read


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "12,345,6",
        "1.00.0",
        "1,2.3,4",
        "0,004",
        "12,",
        ",5",
        "1e",
        "--5",
        "9" * 40,
    ],
)
def test_what_is_not_an_amount_is_refused_with_a_message(typed):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed)
    assert "montant" in str(refused.value) or "décimales" in str(refused.value)


def test_the_refusal_speaks_the_users_language():
    with translation.override("nl"), pytest.raises(AmountError) as refused:
        parse_amount("abc")
    assert str(refused.value) == "‘abc’ is geen bedrag."


def test_rates_keep_three_decimals_when_asked():
    assert parse_amount("2,150", places=3) == D("2.150")
    assert parse_amount("12,345", places=2) == D("12345.00")  # a money amount
    with pytest.raises(AmountError):
        parse_amount("2,1505", places=3)


class _Form(forms.Form):
    amount = AmountField(min_value=D("0.01"))


@pytest.mark.parametrize("typed", ["1.000,00", "1 000,00", f"1{NBSP}000,00", "1000.00"])
def test_an_amount_field_reads_every_way(typed):
    form = _Form({"amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == D("1000.00")


def test_an_amount_field_is_a_text_input_that_says_what_is_wrong():
    html = str(_Form()["amount"])
    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html
    form = _Form({"amount": "douze"})
    assert not form.is_valid()
    assert form.errors["amount"] == ["« douze » n'est pas un montant."]


@pytest.mark.django_db
def test_a_filter_that_cannot_read_its_value_says_so(client, cast):
    from tests import factories as f

    small = f.ClaimFactory(creditor=cast.creditor)  # 1 210,00 €
    client.force_login(cast.owner)
    url = reverse("claims:claim_list")
    body = client.get(url, {"amount_min": "1.000,00"}).content.decode()
    assert small.reference in body  # read: 1 000,00 ≤ 1 210,00
    body = client.get(url, {"amount_min": "2 000,00"}).content.decode()
    assert small.reference not in body
    body = client.get(url, {"amount_min": "mille"}).content.decode()
    assert 'id="filter-errors"' in body
    assert "« mille » n&#x27;est pas un montant." in body
    client.post(reverse("set_language"), {"language": "en"})
    body = client.get(url, {"amount_min": "mille"}).content.decode()
    assert "Some filters could not be read and are not applied" in body
    assert "“mille” is not an amount." in body
