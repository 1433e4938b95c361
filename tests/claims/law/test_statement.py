"""Hand-computed statements, one per country × debtor kind (legal-brief §0-§8).

Every amount below is computed by hand as base × rate × days / 365, rounded
half-up once per line.
"""

from datetime import date
from decimal import Decimal

from claims.law.rates import RateTable
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
