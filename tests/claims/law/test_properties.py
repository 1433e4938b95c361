"""Properties of the money engine (hypothesis), for every country × debtor kind."""

from datetime import date
from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from claims.law.allocation import allocate
from claims.law.fees import book_xix_cap
from claims.law.interest import line_interest
from claims.law.rates import RateTable
from claims.law.seed import seed_values
from claims.law.statement import ClaimFacts
from claims.law.statement import compute_statement
from claims.law.types import InvoiceFacts
from claims.law.types import PaymentFacts

TABLE = RateTable(seed_values())
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)
days = st.integers(min_value=0, max_value=800)
kinds = st.sampled_from(
    [("BE", "business"), ("BE", "consumer"), ("FR", "business"), ("FR", "consumer")]
)
BASE = date(2024, 1, 1)


def facts(
    kind: tuple[str, str], amount: Decimal, due: int, pays: list[tuple[int, Decimal]]
) -> ClaimFacts:
    return ClaimFacts(
        country=kind[0],
        debtor_kind=kind[1],
        invoices=(InvoiceFacts("F1", BASE, BASE + timedelta(days=due), amount),),
        payments=tuple(
            PaymentFacts(BASE + timedelta(days=d), a) for d, a in sorted(pays)
        ),
        contract_rate=Decimal("12") if kind == ("BE", "consumer") else None,
        penalty_clause_percent=Decimal("15"),
        first_reminder_sent_on=BASE + timedelta(days=due + 3),
        first_reminder_channel="post",
        formal_notice_sent_on=BASE + timedelta(days=due + 30),
    )


@settings(max_examples=150, deadline=None)
@given(kinds, money, days, days, st.lists(st.tuples(days, money), max_size=3))
def test_interest_never_negative_and_grows_with_time(
    kind, amount, due, extra, pays
) -> None:  # type: ignore[no-untyped-def]
    f = facts(kind, amount, due, [])
    at = BASE + timedelta(days=due + extra)
    s1 = compute_statement(f, TABLE, at)
    s2 = compute_statement(f, TABLE, at + timedelta(days=30))
    assert s1.interest >= 0
    assert s2.interest >= s1.interest
    assert s2.total_due >= s1.total_due


@settings(max_examples=150, deadline=None)
@given(kinds, money, days, st.lists(st.tuples(days, money), min_size=1, max_size=3))
def test_payment_never_increases_due_and_conserves_cents(
    kind, amount, due, pays
) -> None:  # type: ignore[no-untyped-def]
    at = BASE + timedelta(days=900)
    without = compute_statement(facts(kind, amount, due, []), TABLE, at)
    with_pay = compute_statement(facts(kind, amount, due, pays), TABLE, at)
    assert with_pay.total_due <= without.total_due
    for a in with_pay.allocations:
        assert a.to_costs + a.to_interest + a.to_principal + a.to_credit == a.amount
    paid = sum(p for _d, p in pays)
    settled = (
        with_pay.principal
        - with_pay.principal_due
        + with_pay.interest
        - with_pay.interest_due
    )
    settled += with_pay.costs - with_pay.costs_due
    assert settled + with_pay.credit == paid


@settings(max_examples=150, deadline=None)
@given(
    money,
    st.decimals(min_value=Decimal("0"), max_value=Decimal("20"), places=2),
    st.integers(1, 400),
    st.integers(1, 400),
)
def test_splitting_a_period_changes_only_rounding(base, rate, d1, d2) -> None:  # type: ignore[no-untyped-def]
    whole = line_interest(base, rate, d1 + d2)
    parts = line_interest(base, rate, d1) + line_interest(base, rate, d2)
    assert abs(whole - parts) <= Decimal("0.01")


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["BE", "FR"]), money, days, days)
def test_caps_respected_for_consumers(country, amount, due, extra) -> None:  # type: ignore[no-untyped-def]
    f = facts((country, "consumer"), amount, due, [])
    s = compute_statement(f, TABLE, BASE + timedelta(days=due + extra))
    for p in s.interest_periods:
        if country == "BE":
            assert p.rate <= TABLE.period("be_commercial", p.start).rate  # art. XIX.4
    if country == "FR":
        assert s.costs == 0  # art. L111-8 CPCE
    else:
        assert s.costs <= book_xix_cap(amount)
    assert all("forfaitaire de recouvrement" not in x.label for x in s.fees)


@given(
    money,
    st.lists(
        st.tuples(st.sampled_from(["costs", "interest", "principal"]), money),
        max_size=6,
    ),
)
def test_allocation_conserves_every_cent(amount, buckets) -> None:  # type: ignore[no-untyped-def]
    outstanding: dict[str, list[tuple[str, Decimal]]] = {}
    for i, (cat, due) in enumerate(buckets):
        outstanding.setdefault(cat, []).append((f"k{i}", due))
    paid, left = allocate(amount, outstanding)
    assert sum(paid.values(), Decimal("0")) + left == amount
    assert left >= 0
