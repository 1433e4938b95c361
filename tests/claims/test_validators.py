import pytest
from django.core.exceptions import ValidationError

from claims.ledger import validators as v


def test_ogm_check_digits_follow_modulo_97():
    assert v.ogm_from_number(1234567) == "+++000/1234/56748+++"
    # Remainder 0 is written 97 (legal-brief §12 validators).
    assert v.ogm_from_number(97).endswith("97+++")
    assert v.ogm_is_valid("+++010/6766/09538+++")


def test_it_rejects_the_invalid_ogm_of_the_samples():
    # gobl.ubl_nbio-stuck-ubl.xml carries 020250000001: 84 ≠ 01.
    assert not v.ogm_is_valid("020250000001")


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [("BE 0403.170.701", "BE", "0403.170.701"), ("552 100 554", "FR", "552100554")],
)
def test_enterprise_numbers_are_normalised(raw, country, expected):
    assert v.normalize_enterprise_number(raw, country) == expected


def test_it_refuses_a_wrong_enterprise_number():
    with pytest.raises(ValidationError):
        v.normalize_enterprise_number("0403.170.702", "BE")


def test_it_refuses_a_wrong_iban():
    with pytest.raises(ValidationError, match="IBAN"):
        v.normalize_iban("BE68 5390 0754 7035")


def test_iban_is_compacted():
    assert v.normalize_iban("be68 5390 0754 7034") == "BE68539007547034"
