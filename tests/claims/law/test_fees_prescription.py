"""Fees (art. XIX.4 CDE, art. 1394/20 C.J.) and prescription (§3.5, §8.5)."""

from datetime import date
from decimal import Decimal

import pytest

from claims.law.fees import book_xix_cap
from claims.law.fees import exceeds_uncontested_cap
from claims.law.fees import penalty_clause_amount
from claims.law.prescription import prescription_date


@pytest.mark.parametrize(
    ("balance", "cap"),
    [
        ("100", "20.00"),  # ≤ 150 → 20
        ("150", "20.00"),
        ("400", "55.00"),  # 30 + 10 % × 250
        ("500", "65.00"),
        ("1000", "90.00"),  # 65 + 5 % × 500
        ("10000", "540.00"),
        ("39200", "2000.00"),  # cap reached
        ("50000", "2000.00"),
    ],
)
def test_book_xix_brackets_examples_of_the_brief(balance: str, cap: str) -> None:
    assert book_xix_cap(Decimal(balance)) == Decimal(cap)


def test_penalty_clause_percent_with_minimum() -> None:
    assert penalty_clause_amount(
        Decimal("300"), Decimal("10"), Decimal("50")
    ) == Decimal("50")
    assert penalty_clause_amount(
        Decimal("1000"), Decimal("10"), Decimal("50")
    ) == Decimal("100.00")


def test_uncontested_procedure_cap_is_ten_percent() -> None:
    assert not exceeds_uncontested_cap(Decimal("1000"), Decimal("40"), Decimal("60"))
    assert exceeds_uncontested_cap(Decimal("1000"), Decimal("40.01"), Decimal("60"))


@pytest.mark.parametrize(
    ("country", "kind", "goods", "expected", "rule"),
    [
        ("BE", "business", False, date(2035, 3, 15), "2262bis"),
        ("BE", "consumer", False, date(2035, 3, 15), "2262bis"),
        ("BE", "consumer", True, date(2026, 2, 1), "2272"),
        ("FR", "business", False, date(2030, 3, 15), "L110-4"),
        ("FR", "consumer", False, date(2027, 2, 1), "L218-2"),
    ],
)
def test_prescription(
    country: str, kind: str, goods: bool, expected: date, rule: str
) -> None:
    on, why = prescription_date(
        country=country,
        debtor_kind=kind,
        due_date=date(2025, 3, 15),
        delivery_date=date(2025, 2, 1),
        goods_sold_to_consumer=goods,
    )
    assert on == expected
    assert rule in why
