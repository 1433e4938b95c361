"""Hand-computed statements, one per country × debtor kind (legal-brief §0-§8).

Every amount below is computed by hand as base × rate × days / 365, rounded
half-up once per line.
"""

from datetime import date
from decimal import Decimal

import pytest

from claims.law.rates import RateTable
from claims.law.rates import RateUnavailable
from claims.law.statement import ClaimFacts
from claims.law.statement import WaiverFacts
from claims.law.statement import compute_statement
from claims.law.types import InvoiceFacts
from claims.law.types import PaymentFacts

D = Decimal


def inv(amount: str, due: date, number: str = "F1") -> InvoiceFacts:
    return InvoiceFacts(number, date(2024, 12, 1), due, D(amount))


def lines(statement) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [
        (p.start, p.end, p.days, p.base, p.rate, p.amount)
        for p in statement.interest_periods
    ]


def test_be_b2b_partial_payment_across_half_year(table: RateTable) -> None:
    """Law 2 Aug 2002 art. 5-6: from due + 1, 40 €, costs → interest → principal."""
    facts = ClaimFacts(
        country="BE",
        debtor_kind="business",
        invoices=(inv("1234.56", date(2025, 3, 15)),),
        payments=(PaymentFacts(date(2025, 5, 1), D("300.00")),),
    )
    s = compute_statement(facts, table, date(2025, 9, 30))
    assert lines(s) == [
        # 1234.56 × 11.5 % × 47 / 365 = 18.2816
        (date(2025, 3, 16), date(2025, 5, 1), 47, D("1234.56"), D("11.5"), D("18.28")),
        # 992.84 × 11.5 % × 60 / 365 = 18.7688
        (date(2025, 5, 2), date(2025, 6, 30), 60, D("992.84"), D("11.5"), D("18.77")),
        # 992.84 × 10.5 % × 92 / 365 = 26.2762
        (date(2025, 7, 1), date(2025, 9, 30), 92, D("992.84"), D("10.5"), D("26.28")),
    ]
    a = s.allocations[0]
    assert (a.to_costs, a.to_interest, a.to_principal) == (
        D("40.00"),
        D("18.28"),
        D("241.72"),
    )
    assert [f.amount for f in s.fees] == [D("40.00")]
    assert s.total_due == D("1037.89")  # 992.84 + 18.77 + 26.28


def test_fr_b2b_default_rate_across_half_year(table: RateTable) -> None:
    """Art. L441-10 II: ECB + 10 per half-year; D441-5: 40 € per invoice."""
    facts = ClaimFacts(
        country="FR",
        debtor_kind="business",
        invoices=(inv("1000.00", date(2025, 6, 15)),),
    )
    s = compute_statement(facts, table, date(2025, 7, 31))
    assert lines(s) == [
        # 1000 × 13.15 % × 15 / 365 = 5.4041
        (date(2025, 6, 16), date(2025, 6, 30), 15, D("1000.00"), D("13.15"), D("5.40")),
        # 1000 × 12.15 % × 31 / 365 = 10.3192
        (date(2025, 7, 1), date(2025, 7, 31), 31, D("1000.00"), D("12.15"), D("10.32")),
    ]
    assert s.total_due == D("1055.72")


def test_fr_b2b_contract_rate_raised_to_three_times_legal_rate(
    table: RateTable,
) -> None:
    """Art. L441-10 II: a contractual rate is at least 3 × 2.62 = 7.86 % (H1 2026)."""
    low = ClaimFacts(
        country="FR",
        debtor_kind="business",
        invoices=(inv("1000.00", date(2026, 1, 31)),),
        contract_rate=D("5"),
    )
    s = compute_statement(low, table, date(2026, 3, 1))
    assert lines(s) == [
        (date(2026, 2, 1), date(2026, 3, 1), 29, D("1000.00"), D("7.86"), D("6.24"))
    ]
    high = ClaimFacts(
        country="FR",
        debtor_kind="business",
        invoices=(inv("1000.00", date(2026, 1, 31)),),
        contract_rate=D("15"),
    )
    # 1000 × 15 % × 29 / 365 = 11.9178
    assert compute_statement(high, table, date(2026, 3, 1)).interest == D("11.92")


def be_b2c(**kw) -> ClaimFacts:  # type: ignore[no-untyped-def]
    base = {
        "country": "BE",
        "debtor_kind": "consumer",
        "invoices": (inv("1000.00", date(2026, 2, 20)),),
        "contract_rate": D("12"),
        "penalty_clause_percent": D("10"),
        "penalty_clause_minimum": D("50"),
        "first_reminder_sent_on": date(2026, 3, 2),
        "first_reminder_channel": "email",
    }
    base.update(kw)
    return ClaimFacts(**base)


def test_be_b2c_nothing_before_waiting_period_ends(table: RateTable) -> None:
    """Art. XIX.2 CDE: e-mail 2 Mar 2026 → claimable 17 Mar; nothing on 16 Mar."""
    s = compute_statement(be_b2c(), table, date(2026, 3, 16))
    assert (s.interest, s.costs, s.total_due) == (D("0.00"), D("0.00"), D("1000.00"))


def test_be_b2c_capped_rate_and_book_xix_indemnity(table: RateTable) -> None:
    """Art. XIX.4: 12 % capped at 10.5 % (H1 2026); clause 100 € capped at 90 €."""
    s = compute_statement(be_b2c(), table, date(2026, 3, 31))
    # from 17 Mar: 1000 × 10.5 % × 15 / 365 = 4.3151
    assert lines(s) == [
        (date(2026, 3, 17), date(2026, 3, 31), 15, D("1000.00"), D("10.5"), D("4.32"))
    ]
    assert [f.amount for f in s.fees] == [D("90.00")]
    assert s.total_due == D("1094.32")


def test_be_b2c_sme_counts_interest_from_day_after_reminder(table: RateTable) -> None:
    """Art. XIX.2 (SME option): from 3 Mar: 1000 × 10.5 % × 29 / 365 = 8.3425."""
    s = compute_statement(be_b2c(is_sme=True), table, date(2026, 3, 31))
    assert s.interest == D("8.34")


def test_be_b2c_without_first_reminder_warns(table: RateTable) -> None:
    s = compute_statement(be_b2c(first_reminder_sent_on=None), table, date(2026, 6, 1))
    assert s.total_due == D("1000.00")
    assert any("XIX.2" in w for w in s.warnings)


def test_fr_b2c_legal_rate_from_formal_notice_no_fees(table: RateTable) -> None:
    """Art. 1231-6 C. civ.: legal rate "autres cas" from the notice; L111-8 CPCE: no fees."""
    facts = ClaimFacts(
        country="FR",
        debtor_kind="consumer",
        invoices=(inv("2000.00", date(2025, 5, 1)),),
        formal_notice_sent_on=date(2025, 6, 10),
        penalty_clause_percent=D("10"),
    )
    s = compute_statement(facts, table, date(2025, 8, 31))
    assert lines(s) == [
        # 2000 × 3.71 % × 20 / 365 = 4.0658
        (date(2025, 6, 11), date(2025, 6, 30), 20, D("2000.00"), D("3.71"), D("4.07")),
        # 2000 × 2.76 % × 62 / 365 = 9.3764
        (date(2025, 7, 1), date(2025, 8, 31), 62, D("2000.00"), D("2.76"), D("9.38")),
    ]
    assert s.fees == ()
    assert s.total_due == D("2013.45")


def test_missing_rate_fallback_is_flagged(table: RateTable) -> None:
    """H2 2026 unpublished: BE = ECB 2.15 + 8 → 10.5; FR = 2.15 + 10 = 12.15."""
    be = ClaimFacts(
        country="BE",
        debtor_kind="business",
        invoices=(inv("1000.00", date(2026, 6, 30)),),
    )
    s = compute_statement(be, table, date(2026, 7, 10))
    # 1000 × 10.5 % × 10 / 365 = 2.8767
    assert lines(s) == [
        (date(2026, 7, 1), date(2026, 7, 10), 10, D("1000.00"), D("10.5"), D("2.88"))
    ]
    assert s.uses_fallback_rate
    assert s.warnings
    fr = ClaimFacts(
        country="FR",
        debtor_kind="business",
        invoices=(inv("1000.00", date(2026, 6, 30)),),
    )
    # 1000 × 12.15 % × 10 / 365 = 3.3288
    assert compute_statement(fr, table, date(2026, 7, 10)).interest == D("3.33")


def test_payment_on_due_date_overpaid_becomes_credit(table: RateTable) -> None:
    facts = ClaimFacts(
        country="BE",
        debtor_kind="business",
        invoices=(inv("100.00", date(2025, 1, 10)),),
        payments=(PaymentFacts(date(2025, 1, 10), D("200.00")),),
    )
    s = compute_statement(facts, table, date(2025, 6, 1))
    assert (s.total_due, s.credit, s.fees) == (D("0.00"), D("100.00"), ())


def test_payment_goes_to_oldest_invoice_first(table: RateTable) -> None:
    facts = ClaimFacts(
        country="BE",
        debtor_kind="business",
        invoices=(
            inv("500.00", date(2025, 3, 31), "B"),
            inv("500.00", date(2025, 1, 31), "A"),
        ),
        payments=(PaymentFacts(date(2025, 1, 31), D("600.00")),),
        allocation_order="principal_first",
    )
    s = compute_statement(facts, table, date(2025, 1, 31))
    assert [(i.number, i.principal_due) for i in s.invoices] == [
        ("A", D("0.00")),
        ("B", D("400.00")),
    ]


def test_waivers_are_subtracted_and_visible(table: RateTable) -> None:
    facts = ClaimFacts(
        country="BE",
        debtor_kind="business",
        invoices=(inv("1000.00", date(2025, 6, 30)),),
        waivers=(
            WaiverFacts("interest", None, "geste commercial"),
            WaiverFacts("costs", D("15.00")),
        ),
    )
    s = compute_statement(facts, table, date(2025, 7, 10))
    # interest 1000 × 10.5 % × 10 / 365 = 2.88, waived entirely; 15 of 40 € waived
    assert (s.interest, s.interest_due, s.costs_due, s.waived) == (
        D("2.88"),
        D("0.00"),
        D("25.00"),
        D("17.88"),
    )
    assert s.total_due == D("1025.00")


def test_penalty_clause_over_ten_percent_warns_for_be_b2b(table: RateTable) -> None:
    facts = ClaimFacts(
        country="BE",
        debtor_kind="business",
        invoices=(inv("1000.00", date(2025, 6, 30)),),
        penalty_clause_percent=D("10"),
    )
    s = compute_statement(facts, table, date(2025, 7, 10))
    assert any("1394/20" in w for w in s.warnings)
    assert s.prescription_on == date(2035, 6, 30)


# --- old invoices, allocation per invoice, prescription (issue 13 items 7, 9) ---


def test_be_b2b_2016_invoice_across_several_half_years(table: RateTable) -> None:
    """Law 2 Aug 2002 art. 5 al. 2: the published rate of each half-year
    (8.5 % in H1 2016, MRO 0.05; 8 % from H2 2016, MRO 0.00); art. 6: 40 €."""
    facts = ClaimFacts(
        country="BE",
        debtor_kind="business",
        invoices=(
            InvoiceFacts("F2016", date(2016, 5, 1), date(2016, 5, 31), D("2000.00")),
        ),
    )
    s = compute_statement(facts, table, date(2017, 3, 31))
    assert lines(s) == [
        # 2000 × 8.5 % × 30 / 365 = 13.9726
        (date(2016, 6, 1), date(2016, 6, 30), 30, D("2000.00"), D("8.5"), D("13.97")),
        # 2000 × 8 % × 184 / 365 = 80.6575
        (date(2016, 7, 1), date(2016, 12, 31), 184, D("2000.00"), D("8.0"), D("80.66")),
        # 2000 × 8 % × 90 / 365 = 39.4521
        (date(2017, 1, 1), date(2017, 3, 31), 90, D("2000.00"), D("8.0"), D("39.45")),
    ]
    assert not s.uses_fallback_rate
    assert s.total_due == D("2174.08")  # 2000 + 134.08 + 40
    # 10 years from the due date (art. 2262bis §1 C. civ.): not yet barred in 2017…
    assert (s.prescription_on, s.time_barred) == (date(2026, 5, 31), False)
    # … barred on 31 May 2026, and every output says so.
    late = compute_statement(facts, table, date(2026, 6, 1))
    assert late.time_barred
    assert any(w.startswith("PRESCRIT") and "F2016" in w for w in late.warnings)


def test_fr_b2b_2019_invoice_at_ecb_plus_10_until_the_2023_rise(
    table: RateTable,
) -> None:
    """Art. L441-10 II C. com.: MRO on 1 Jan / 1 Jul + 10 points: 10 % from
    H1 2019 to H2 2022 (MRO 0.00), 12.5 % in H1 2023 (MRO 2.50 since
    21 Dec 2022); D441-5: 40 €."""
    facts = ClaimFacts(
        country="FR",
        debtor_kind="business",
        invoices=(
            InvoiceFacts("F2019", date(2019, 3, 31), date(2019, 4, 30), D("1500.00")),
        ),
    )
    s = compute_statement(facts, table, date(2023, 1, 31))
    assert lines(s) == [
        # 1500 × 10 % × 61 / 365 = 25.0685
        (date(2019, 5, 1), date(2019, 6, 30), 61, D("1500.00"), D("10.00"), D("25.07")),
        # 1500 × 10 % × 184 / 365 = 75.6164
        (
            date(2019, 7, 1),
            date(2019, 12, 31),
            184,
            D("1500.00"),
            D("10.00"),
            D("75.62"),
        ),
        # 2020 is a leap year: 182 days; 1500 × 10 % × 182 / 365 = 74.7945
        (
            date(2020, 1, 1),
            date(2020, 6, 30),
            182,
            D("1500.00"),
            D("10.00"),
            D("74.79"),
        ),
        (
            date(2020, 7, 1),
            date(2020, 12, 31),
            184,
            D("1500.00"),
            D("10.00"),
            D("75.62"),
        ),
        # 1500 × 10 % × 181 / 365 = 74.3836
        (
            date(2021, 1, 1),
            date(2021, 6, 30),
            181,
            D("1500.00"),
            D("10.00"),
            D("74.38"),
        ),
        (
            date(2021, 7, 1),
            date(2021, 12, 31),
            184,
            D("1500.00"),
            D("10.00"),
            D("75.62"),
        ),
        (
            date(2022, 1, 1),
            date(2022, 6, 30),
            181,
            D("1500.00"),
            D("10.00"),
            D("74.38"),
        ),
        (
            date(2022, 7, 1),
            date(2022, 12, 31),
            184,
            D("1500.00"),
            D("10.00"),
            D("75.62"),
        ),
        # 1500 × 12.5 % × 31 / 365 = 15.9247
        (date(2023, 1, 1), date(2023, 1, 31), 31, D("1500.00"), D("12.50"), D("15.92")),
    ]
    assert s.interest == D("567.02")
    assert s.total_due == D("2107.02")  # 1500 + 567.02 + 40
    # The MRO + 10 values are computed, not published: the rule says so.
    assert all("⚠️" in p.rule for p in s.interest_periods)
    # 5 years (art. L110-4 C. com.)
    assert (s.prescription_on, s.prescription_rule) == (
        date(2024, 4, 30),
        "art. L110-4 C. com.",
    )


def test_an_invoice_older_than_the_tables_is_refused_not_guessed(
    table: RateTable,
) -> None:
    facts = ClaimFacts(
        country="BE",
        debtor_kind="business",
        invoices=(InvoiceFacts("F1", date(2014, 6, 1), date(2014, 6, 30), D("1000")),),
    )
    with pytest.raises(RateUnavailable) as caught:
        compute_statement(facts, table, date(2015, 3, 1))
    assert caught.value.first == date(2015, 1, 1)


def test_payment_settles_the_oldest_invoice_in_full_before_the_next(
    table: RateTable,
) -> None:
    """Invoice by invoice, oldest first (art. 1342-10 C. civ.; art. 1256 old
    BE C. civ.); within it costs → interest → principal (art. 1343-1 C. civ.;
    art. 1254 old BE C. civ.)."""
    facts = ClaimFacts(
        country="BE",
        debtor_kind="business",
        invoices=(
            inv("500.00", date(2025, 3, 31), "B"),
            inv("500.00", date(2025, 1, 31), "A"),
        ),
        payments=(PaymentFacts(date(2025, 4, 30), D("560.00")),),
    )
    s = compute_statement(facts, table, date(2025, 4, 30))
    assert lines(s) == [
        # A: 500 × 11.5 % × 89 / 365 = 14.0205
        (date(2025, 2, 1), date(2025, 4, 30), 89, D("500.00"), D("11.5"), D("14.02")),
        # B: 500 × 11.5 % × 30 / 365 = 4.7260
        (date(2025, 4, 1), date(2025, 4, 30), 30, D("500.00"), D("11.5"), D("4.73")),
    ]
    a = s.allocations[0]
    # A: 40 + 14.02 + 500 = 554.02; the 5.98 left go to B's 40 € indemnity.
    assert (a.to_costs, a.to_interest, a.to_principal, a.to_credit) == (
        D("45.98"),
        D("14.02"),
        D("500.00"),
        D("0.00"),
    )
    assert [(i.number, i.principal_due) for i in s.invoices] == [
        ("A", D("0.00")),
        ("B", D("500.00")),
    ]
    assert s.total_due == D("538.75")  # 500 + 4.73 + 34.02


def test_be_b2c_sme_option_needs_an_interest_clause(table: RateTable) -> None:
    """Art. XIX.2 CDE (legal-brief §2.2): the SME may count interest from the
    day after the reminder only "if a clause provides late interest". Without
    one, interest (legal rate, 4.5 % in 2026) runs from the end of the 14 days:
    1000 × 4.5 % × 15 / 365 = 1.8493."""
    s = compute_statement(
        be_b2c(is_sme=True, contract_rate=None), table, date(2026, 3, 31)
    )
    assert lines(s) == [
        (date(2026, 3, 17), date(2026, 3, 31), 15, D("1000.00"), D("4.50"), D("1.85"))
    ]
    assert any("Option PME" in w for w in s.warnings)
    assert any("Pas de clause d'intérêts" in w for w in s.warnings)


def test_consumers_owe_nothing_without_reminder_or_notice_and_are_told_why(
    table: RateTable,
) -> None:
    """Art. XIX.2 CDE (BE); art. 1344-1 and 1231-6 C. civ. (FR)."""
    fr = ClaimFacts(
        country="FR",
        debtor_kind="consumer",
        invoices=(inv("2000.00", date(2025, 5, 1)),),
        penalty_clause_percent=D("10"),
    )
    s = compute_statement(fr, table, date(2025, 12, 31))
    assert (s.interest, s.costs, s.total_due) == (D("0.00"), D("0.00"), D("2000.00"))
    assert any("1344-1" in w and "1231-6" in w for w in s.warnings)
    be = compute_statement(
        be_b2c(first_reminder_sent_on=None), table, date(2026, 12, 31)
    )
    assert (be.interest, be.costs) == (D("0.00"), D("0.00"))
    waiting = compute_statement(be_b2c(), table, date(2026, 3, 10))
    assert any("17/03/2026" in w for w in waiting.warnings)
