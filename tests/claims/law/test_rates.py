"""Rate resolution and the documented fallback (law 2 Aug 2002 art. 5; L441-10)."""

from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest

from claims.law.rates import BE_COMMERCIAL
from claims.law.rates import BE_LEGAL
from claims.law.rates import ECB_MRO
from claims.law.rates import FR_B2B
from claims.law.rates import FR_LEGAL_OTHER
from claims.law.rates import FR_LEGAL_PRIVATE
from claims.law.rates import RateTable
from claims.law.rates import RateUnavailable
from claims.law.rates import be_commercial_from_ecb
from claims.law.rates import check_interest_computable
from claims.law.rates import missing_rates
from claims.law.rates import split_by_period
from claims.law.seed import seed_values


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


# --- tables from 2015 (issue 13 item 7; legal-brief §1.3, §6.2, §6.5, §12) ---

HALF_YEARS = [date(y, m, 1) for y in range(2015, 2027) for m in (1, 7)][:-1]


@pytest.mark.parametrize(
    "kind", [BE_COMMERCIAL, FR_B2B, FR_LEGAL_OTHER, FR_LEGAL_PRIVATE]
)
def test_every_half_year_from_2015_to_h1_2026_is_in_the_table(
    table: RateTable, kind: str
) -> None:
    for start in HALF_YEARS:
        assert table.is_published(kind, start), (kind, start)
        assert not table.period(kind, start).is_fallback


def test_every_year_of_the_be_legal_rate_and_every_day_of_the_ecb_rate(
    table: RateTable,
) -> None:
    for year in range(2015, 2027):
        assert table.is_published(BE_LEGAL, date(year, 6, 1)), year
    day = date(2014, 9, 10)
    while day <= date(2026, 6, 30):
        assert table.value_on(ECB_MRO, day) is not None, day
        day += timedelta(days=7)


def test_be_commercial_rate_is_ecb_at_start_plus_8_rounded_up(table: RateTable) -> None:
    """Law of 2 Aug 2002 art. 5 al. 2: the published value of every half-year
    equals MRO in force on its first day + 8, rounded up to the half point —
    a cross-check of the two series typed from different publications."""
    for start in HALF_YEARS:
        ecb = table.value_on(ECB_MRO, start)
        assert ecb is not None
        expected = be_commercial_from_ecb(ecb.value)
        assert table.period(BE_COMMERCIAL, start).rate == expected, start


def test_fr_b2b_rate_is_ecb_on_1_january_or_1_july_plus_10(table: RateTable) -> None:
    """Art. L441-10 II C. com."""
    for start in HALF_YEARS:
        ecb = table.value_on(ECB_MRO, start)
        assert ecb is not None
        assert table.period(FR_B2B, start).rate == ecb.value + 10, start


def test_published_history_spot_values(table: RateTable) -> None:
    """Values of the cited publications (seed.py names each source)."""
    assert table.period(BE_COMMERCIAL, date(2015, 3, 1)).rate == Decimal("8.5")
    assert table.period(BE_COMMERCIAL, date(2016, 8, 1)).rate == Decimal("8.0")
    assert table.period(BE_COMMERCIAL, date(2023, 2, 1)).rate == Decimal("10.5")
    assert table.period(BE_LEGAL, date(2016, 5, 1)).rate == Decimal("2.25")
    assert table.period(BE_LEGAL, date(2023, 5, 1)).rate == Decimal("5.25")
    assert table.period(FR_LEGAL_OTHER, date(2019, 2, 1)).rate == Decimal("0.86")
    assert table.period(FR_LEGAL_PRIVATE, date(2023, 8, 1)).rate == Decimal("6.82")
    assert table.value_on(ECB_MRO, date(2016, 3, 15)).value == Decimal("0.05")
    assert table.value_on(ECB_MRO, date(2016, 3, 16)).value == Decimal("0.00")
    assert table.value_on(ECB_MRO, date(2022, 7, 27)).value == Decimal("0.50")


def test_each_row_has_its_own_source_and_doubts_are_flagged() -> None:
    rows = seed_values()
    by_kind: dict[str, list] = {}
    for v in rows:
        by_kind.setdefault(v.kind, []).append(v)
        assert v.source
        assert len(v.source) <= 500
        # ⚠️ in the source text ⇔ the row is flagged unconfirmed
        assert ("⚠️" in v.source) == (not v.confirmed), v
    for kind, values in by_kind.items():
        sources = [v.source for v in values]
        if kind in (FR_LEGAL_OTHER, FR_LEGAL_PRIVATE):
            continue  # one arrêté fixes both French legal rates of a half-year
        assert len(set(sources)) == len(sources), kind


def test_unconfirmed_value_is_never_shown_as_sure(table: RateTable) -> None:
    computed = table.period(FR_B2B, date(2019, 3, 1))  # ECB + 10, no publication
    assert "⚠️" in computed.rule
    assert "⚠️" not in table.period(BE_COMMERCIAL, date(2019, 3, 1)).rule


def test_a_day_before_the_first_row_is_refused_with_series_and_date(
    table: RateTable,
) -> None:
    with pytest.raises(RateUnavailable) as caught:
        table.period(BE_COMMERCIAL, date(2014, 12, 31))
    err = caught.value
    assert (err.kind, err.day, err.first) == (
        BE_COMMERCIAL,
        date(2014, 12, 31),
        date(2015, 1, 1),
    )
    assert "31/12/2014" in err.message
    assert "01/01/2015" in err.message
    assert isinstance(err, LookupError)  # callers catching the old error still do
    table.period(BE_COMMERCIAL, date(2015, 1, 1))  # the first day is covered


def test_check_interest_computable_uses_the_series_of_the_claim(
    table: RateTable,
) -> None:
    # FR consumer with a contract rate needs no table at all (art. 1231-5 C. civ.).
    check_interest_computable(
        table,
        country="FR",
        debtor_kind="consumer",
        first_interest_day=date(2010, 1, 1),
        contract_rate=Decimal("5"),
    )
    for kind in ("business", "consumer", None):
        with pytest.raises(RateUnavailable):
            check_interest_computable(
                table,
                country="BE",
                debtor_kind=kind,
                first_interest_day=date(2014, 6, 1),
            )
