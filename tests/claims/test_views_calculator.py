"""The public calculator page (/calculateur/)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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


# --- nothing assumed, old dates, prescription (issue 13 items 7 and 9) ---


def _get(client, **params):  # type: ignore[no-untyped-def]
    return client.get(reverse("claims:calculator"), params)


@pytest.mark.parametrize(
    ("country", "why"),
    [("BE", "art. XIX.2 CDE"), ("FR", "art. 1344-1 et 1231-6 C. civ.")],
)
def test_a_consumer_without_reminder_or_notice_owes_nothing_and_is_told_why(
    client, country: str, why: str
) -> None:
    """No reminder (BE) or formal notice (FR) given: no interest, no damages."""
    response = _get(
        client, country=country, debtor_kind="consumer", amount="2000",
        due="2025-05-01", at="2025-12-31", penalty_percent="10",
    )  # fmt: skip
    s = response.context["statement"]
    assert (s.interest, s.costs, s.total_due) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("2000.00"),
    )
    assert why in response.content.decode()


def test_be_consumer_with_reminder_and_clauses(client) -> None:
    """Art. XIX.2-XIX.4 CDE; same hand computation as tests/claims/law/
    test_statement.py::test_be_b2c_capped_rate_and_book_xix_indemnity:
    4.32 interest (12 % capped at 10.5 %) + 90 € (clause capped)."""
    response = _get(
        client, country="BE", debtor_kind="consumer", amount="1000",
        due="2026-02-20", at="2026-03-31", contract_rate="12",
        penalty_percent="10", penalty_minimum="50",
        reminder_on="2026-03-02", reminder_channel="email",
    )  # fmt: skip
    assert response.context["statement"].total_due == Decimal("1094.32")


def test_fr_consumer_interest_from_the_formal_notice(client) -> None:
    """Art. 1344-1 C. civ.: 4.07 + 9.38 at the legal rate (see the law test)."""
    response = _get(
        client, country="FR", debtor_kind="consumer", amount="2000",
        due="2025-05-01", at="2025-08-31", formal_notice_on="2025-06-10",
    )  # fmt: skip
    assert response.context["statement"].total_due == Decimal("2013.45")


def test_a_date_before_the_rate_tables_is_a_form_error_not_a_500(client) -> None:
    response = _get(
        client, country="BE", debtor_kind="business", amount="1000",
        due="2010-01-15", at="2010-06-01",
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["statement"] is None
    assert "01/01/2015" in response.context["form"].errors["due"][0]


def test_a_reminder_before_the_due_date_is_refused(client) -> None:
    response = _get(
        client, country="BE", debtor_kind="consumer", amount="1000",
        due="2026-02-20", at="2026-03-31", reminder_on="2026-02-01",
    )  # fmt: skip
    assert response.context["statement"] is None
    assert response.context["form"].errors["reminder_on"]


def test_prescription_date_and_time_barred_warning(client) -> None:
    """Goods sold to a Belgian consumer: 1 year from delivery (art. 2272 al. 2
    C. civ.): delivered 10 Jan 2024 → time-barred on 10 Jan 2025."""
    response = _get(
        client, country="BE", debtor_kind="consumer", amount="500",
        due="2024-02-10", at="2025-03-01", supply="goods", delivery_on="2024-01-10",
    )  # fmt: skip
    html = response.content.decode()
    s = response.context["statement"]
    assert (s.prescription_on, s.time_barred) == (date(2025, 1, 10), True)
    assert 'data-testid="time-barred"' in html
    assert "10/01/2025" in html
    fresh = _get(
        client, country="BE", debtor_kind="consumer", amount="500",
        due="2024-02-10", at="2024-06-01", supply="services",
    )  # fmt: skip
    assert not fresh.context["statement"].time_barred
    assert "10/02/2034" in fresh.content.decode()  # 10 years (art. 2262bis)


def test_the_new_inputs_and_the_old_date_message_are_translated(
    client, settings
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    html = _get(
        client, country="BE", debtor_kind="business", amount="1000",
        due="2010-01-15", at="2010-06-01",
    ).content.decode()  # fmt: skip
    assert "Interestbeding" in html
    assert "Datum te oud" in html
