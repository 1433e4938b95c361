"""Hostile and malformed input on the forms: a clear answer, never a 500, and
nothing written unless the input was valid (issue 10, bad input)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from claims.models import Debtor
from claims.models import Event
from claims.models import Payment
from tests import factories as f

# Text that is likely to break naive code: control characters, huge numbers,
# SQL and HTML fragments, right-to-left marks, odd decimal separators.
NASTY = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "'; DROP TABLE claims_claim; --",
            "<script>alert(1)</script>",
            "1e309",
            "-0,00",
            "NaN",
            "9" * 400,
            "\u202e1000",
            "12.345,678",
            "\x00",
            "2026-02-30",
            "BE68 5390 0754 7035",
        ]
    ),
)
SLOW = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def owner_client(client, cast):
    client.force_login(cast.owner)
    return client


@SLOW
@given(amount=NASTY, on=NASTY, method=NASTY, reference=NASTY)
@pytest.mark.django_db
def test_the_payment_form_never_fails_and_writes_only_valid_payments(
    owner_client, cast, amount, on, method, reference
):
    claim = f.ClaimFactory(creditor=cast.creditor)
    before = (Payment.objects.count(), Event.objects.filter(claim=claim).count())
    url = reverse("claims:claim_payment", kwargs={"code": claim.code})
    response = owner_client.post(
        url, {"amount": amount, "on": on, "method": method, "reference": reference}
    )
    assert response.status_code in {200, 302, 400}
    if response.status_code != 302:  # refused: nothing at all was written
        after = (Payment.objects.count(), Event.objects.filter(claim=claim).count())
        assert after == before


@SLOW
@given(name=NASTY, enterprise=NASTY, vat=NASTY, iban=NASTY, email=NASTY, kind=NASTY)
@pytest.mark.django_db
def test_the_debtor_form_never_fails_and_stores_only_valid_identifiers(
    owner_client, name, enterprise, vat, iban, email, kind
):
    before = Debtor.objects.count()
    response = owner_client.post(
        reverse("claims:debtor_create"),
        {
            "kind": kind,
            "name": name,
            "enterprise_number": enterprise,
            "vat_number": vat,
            "iban": iban,
            "email": email,
            "language": "fr",
            "country": "BE",
        },
    )
    assert response.status_code in {200, 302, 400}
    if response.status_code != 302:
        assert Debtor.objects.count() == before
    else:  # accepted: what is stored has valid check digits
        from claims.ledger.validators import normalize_iban

        debtor = Debtor.objects.order_by("-pk").first()
        assert normalize_iban(debtor.iban) == debtor.iban
