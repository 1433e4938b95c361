"""Identifiers are validated and normalised by the models and the services;
invalid check digits are refused, never stored."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from claims.ledger.services import debtor_save
from claims.models import Creditor
from claims.models import Debtor
from tests import factories as f


def test_creditor_clean_normalises_belgian_identifiers(db):
    creditor = f.CreditorFactory.build(
        enterprise_number="BE 0403 170 701",
        vat_number="be 0403.170.701",
        iban="be71 0961 2345 6769",
        bic="",
    )
    creditor.full_clean()
    assert creditor.enterprise_number == "0403.170.701"
    assert creditor.vat_number == "BE0403170701"
    assert creditor.iban == "BE71096123456769"
    assert creditor.bic == "GKCCBEBB"  # looked up from the IBAN's bank code 096


def test_creditor_clean_accepts_a_french_siret(db):
    creditor = f.FrenchCreditorFactory.build(enterprise_number="552 100 554 00013")
    creditor.full_clean()
    assert creditor.enterprise_number == "55210055400013"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("enterprise_number", "0403.170.702"),  # BCE mod 97 wrong
        ("vat_number", "BE0403170702"),
        ("iban", "BE68539007547035"),
        ("bic", "GKCC"),
    ],
)
def test_creditor_clean_refuses_wrong_check_digits(db, field, value):
    creditor = f.CreditorFactory.build(**{field: value})
    with pytest.raises(ValidationError) as exc:
        creditor.full_clean()
    assert field in exc.value.message_dict


def test_creditor_needs_an_enterprise_number(db):
    creditor = f.CreditorFactory.build(enterprise_number="")
    with pytest.raises(ValidationError) as exc:
        creditor.full_clean()
    assert (
        "Le numéro d'entreprise est obligatoire."
        in (exc.value.message_dict["enterprise_number"])
    )


def test_a_french_siren_with_a_wrong_luhn_digit_is_refused(db):
    creditor = f.FrenchCreditorFactory.build(enterprise_number="552100555")
    with pytest.raises(ValidationError) as exc:
        creditor.full_clean()
    assert "SIREN" in exc.value.message_dict["enterprise_number"][0]


def test_messages_follow_the_users_language(db):
    debtor = f.DebtorFactory.build(
        creditor=f.CreditorFactory(), iban="BE68539007547035"
    )
    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        debtor.full_clean()
    assert exc.value.message_dict["iban"][0].startswith("IBAN invalide")


def test_debtor_save_refuses_and_stores_nothing(db):
    creditor = f.CreditorFactory()
    debtor = f.DebtorFactory.build(creditor=creditor, enterprise_number="0202.239.952")
    with pytest.raises(ValidationError) as exc:
        debtor_save(debtor=debtor)
    assert "enterprise_number" in exc.value.message_dict
    assert not Debtor.objects.exists()


def test_debtor_save_normalises_and_stores(db):
    creditor = f.CreditorFactory()
    debtor = f.DebtorFactory.build(
        creditor=creditor,
        enterprise_number="0202 239 951",
        vat_number="BE 0202.239.951",
        iban="BE71 0961 2345 6769",
    )
    debtor_save(debtor=debtor)
    stored = Debtor.objects.get(pk=debtor.pk)
    assert stored.enterprise_number == "0202.239.951"
    assert stored.vat_number == "BE0202239951"
    assert stored.iban == "BE71096123456769"


def test_a_consumer_needs_no_enterprise_number(db):
    debtor = f.ConsumerFactory.build(creditor=f.CreditorFactory())
    debtor.full_clean()
    assert debtor.enterprise_number == ""


def test_creditor_factory_identifiers_are_valid(db):
    for creditor in (f.CreditorFactory(), f.FrenchCreditorFactory()):
        creditor.full_clean()
    assert Creditor.objects.count() == 2
