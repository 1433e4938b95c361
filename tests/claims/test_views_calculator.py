"""The public calculator page (/calculateur/)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_renders_the_form_without_login(client) -> None:
    response = client.get(reverse("claims:calculator"))
    assert response.status_code == 200
    assert "Calculez vos intérêts de retard" in response.content.decode()


def test_it_shows_the_breakdown(client) -> None:
    response = client.get(
        reverse("claims:calculator"),
        {
            "country": "BE",
            "debtor_kind": "business",
            "amount": "1234.56",
            "due": "2025-03-15",
            "at": "2025-09-30",
            "payment_1_on": "2025-05-01",
            "payment_1_amount": "300.00",
        },
    )
    html = response.content.decode()
    # Hand computation: tests/claims/law/test_statement.py (law 2 Aug 2002).
    # Amounts are shown in the French number format.
    assert "1037,89" in html
    assert "18,28" in html
    assert "26,28" in html
    assert "Loi du 2 août 2002, art. 6" in html


def test_bad_input_gets_a_message(client) -> None:
    response = client.get(
        reverse("claims:calculator"),
        {
            "country": "BE",
            "debtor_kind": "business",
            "amount": "-5",
            "due": "2025-03-15",
        },
    )
    assert response.status_code == 200
    assert response.context["statement"] is None
    assert response.context["form"].errors["amount"]


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("nl", "Bereken uw nalatigheidsintresten"),
        ("en", "Calculate your late-payment interest"),
    ],
)
def test_it_is_translated(client, settings, language: str, title: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("claims:calculator"))
    assert title in response.content.decode()
