"""Rate resolution and the documented fallback (law 2 Aug 2002 art. 5; L441-10)."""

from datetime import date
from decimal import Decimal

from claims.law.rates import BE_COMMERCIAL
from claims.law.rates import FR_B2B
from claims.law.rates import RateTable
from claims.law.rates import be_commercial_from_ecb
from claims.law.rates import missing_rates
from claims.law.rates import split_by_period


def test_published_half_year_rates(table: RateTable) -> None:
    assert table.period(BE_COMMERCIAL, date(2025, 3, 1)).rate == Decimal("11.5")
    assert table.period(BE_COMMERCIAL, date(2025, 7, 1)).rate == Decimal("10.5")
    assert not table.period(BE_COMMERCIAL, date(2025, 7, 1)).is_fallback


def test_be_rule_rounds_up_to_half_point() -> None:
    # Brief §1.3 table: MRO 4.25 → 12.5; 3.15 → 11.5; 2.15 → 10.5; 4.00 → 12.
    assert be_commercial_from_ecb(Decimal("4.25")) == Decimal("12.5")
    assert be_commercial_from_ecb(Decimal("3.15")) == Decimal("11.5")
    assert be_commercial_from_ecb(Decimal("2.15")) == Decimal("10.5")
    assert be_commercial_from_ecb(Decimal("4.00")) == Decimal("12.0")


def test_missing_h2_2026_uses_fallback_and_says_so(table: RateTable) -> None:
    be = table.period(BE_COMMERCIAL, date(2026, 8, 1))
    fr = table.period(FR_B2B, date(2026, 8, 1))
    assert (be.rate, be.is_fallback) == (Decimal("10.5"), True)  # 2.15 + 8 → 10.5
    assert (fr.rate, fr.is_fallback) == (Decimal("12.15"), True)  # 2.15 + 10
    assert "non publié" in be.rule


def test_split_by_half_year(table: RateTable) -> None:
    periods = split_by_period(
        BE_COMMERCIAL, date(2024, 12, 20), date(2025, 7, 5), table
    )
    assert [(p.start, p.end, p.rate) for p in periods] == [
        (date(2024, 12, 20), date(2024, 12, 31), Decimal("12.5")),
        (date(2025, 1, 1), date(2025, 6, 30), Decimal("11.5")),
        (date(2025, 7, 1), date(2025, 7, 5), Decimal("10.5")),
    ]


def test_missing_rates_lists_current_half_year(table: RateTable) -> None:
    assert missing_rates(date(2026, 11, 26), table) == [
        "be_commercial S2 2026",
        "fr_b2b S2 2026",
        "fr_legal_private S2 2026",
        "fr_legal_other S2 2026",
    ]
    assert missing_rates(date(2026, 3, 1), table) == []
