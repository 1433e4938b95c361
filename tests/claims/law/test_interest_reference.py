"""The statement's interest lines against a plain day-by-day reference.

The engine computes interest per rate period and per payment, with its rate
schedule as ordinals and its texts kept per language (for speed). This test
recomputes every line the slow, obvious way: walk the days one by one, look
each day's rate up in the seeded rate rows, cut a line where the rate's
fixing period changes or the day after a payment, take the unpaid principal
of that day, and round each line half-up to the cent once, with exact
fractions (legal-brief §1.3: actual/365; design.md §6: one rounding per line).
"""

from datetime import date
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

from django.utils import translation
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from claims.law.rates import RateTable
from claims.law.seed import seed_values
from claims.law.statement import ClaimFacts
from claims.law.statement import compute_statement
from claims.law.types import InvoiceFacts
from claims.law.types import PaymentFacts

ROWS = seed_values()
TABLE = RateTable(ROWS)
FIRST = date(2016, 1, 1)
LAST = date(2026, 6, 30)  # the last half-year every seeded series publishes


def published(series: str, day: date) -> Decimal:
    """The seeded row of ``series`` in force on ``day`` (a plain scan)."""
    for row in ROWS:
        in_force = row.valid_to is None or day <= row.valid_to
        if row.kind == series and row.valid_from <= day and in_force:
            return row.value
    raise AssertionError(f"no {series} rate on {day}")


def rate_on(country: str, kind: str, contract: Decimal | None, day: date) -> Decimal:
    """The law's rate for one day (legal-brief §1, §12)."""
    if country == "BE":  # business: law of 2 Aug 2002, art. 5
        return contract if contract is not None else published("be_commercial", day)
    if kind == "business":  # art. L441-10 II C. com., at least 3 × the legal rate
        if contract is None:
            return published("fr_b2b", day)
        return max(contract, 3 * published("fr_legal_other", day))
    # consumer: art. 1231-6 C. civ. (legal rate) or the contract (art. 1231-5)
    return contract if contract is not None else published("fr_legal_other", day)


def splits_by_half_year(country: str, kind: str, contract: Decimal | None) -> bool:
    """A contract rate that is not floored is one line for the whole time."""
    return contract is None or (country, kind) == ("FR", "business")


def half_up_cents(x: Fraction) -> Decimal:
    cents = (x * 100 + Fraction(1, 2)).__floor__()
    return Decimal(cents).scaleb(-2)


def reference_lines(
    country: str,
    kind: str,
    contract: Decimal | None,
    invoice: InvoiceFacts,
    first_day: date,
    at: date,
    principal_paid_before: dict[date, Decimal],
) -> list[tuple]:
    """Walk the days from ``first_day`` to ``at``; one line per run of days."""
    lines: list[tuple] = []
    run: list[date] = []
    run_base = run_rate = None
    cut_after = set(principal_paid_before)  # a payment day ends a line

    def close() -> None:
        if run and run_base > 0:
            days = len(run)
            exact = Fraction(run_base) * Fraction(run_rate) * days / 36500
            lines.append(
                (run[0], run[-1], days, run_base, run_rate, half_up_cents(exact))
            )

    day = first_day
    while day <= at:
        base = invoice.amount - sum(
            (v for on, v in principal_paid_before.items() if on < day), Decimal(0)
        )
        rate = rate_on(country, kind, contract, day)
        new_period = splits_by_half_year(country, kind, contract) and (
            day.month,
            day.day,
        ) in ((1, 1), (7, 1))
        after_payment = (day - timedelta(days=1)) in cut_after
        if run and (new_period or after_payment):
            close()
            run = []
        if not run:
            run_base, run_rate = base, rate
        assert base == run_base, "the principal changes only after a payment day"
        assert rate == run_rate, "the rate changes only on a fixing-period start"
        run.append(day)
        day += timedelta(days=1)
    close()
    return lines


def engine_lines(statement, number: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return sorted(
        (p.start, p.end, p.days, p.base, p.rate, p.amount)
        for p in statement.interest_periods
        if p.invoice == number
    )


dates = st.dates(min_value=FIRST, max_value=LAST - timedelta(days=40))
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("250000"), places=2)
contract_rates = st.one_of(
    st.none(),
    st.sampled_from([Decimal("1"), Decimal("8"), Decimal("12.5"), Decimal("3.75")]),
)
claim_kinds = st.sampled_from(
    [("BE", "business"), ("FR", "business"), ("FR", "consumer")]
)


@settings(max_examples=300, deadline=None)
@given(
    kind=claim_kinds,
    contract=contract_rates,
    amount=money,
    due=dates,
    notice_after=st.integers(min_value=1, max_value=90),
    length=st.integers(min_value=0, max_value=900),
    payments=st.lists(
        st.tuples(st.integers(min_value=-30, max_value=900), money), max_size=5
    ),
    lang=st.sampled_from(["fr", "nl", "en"]),
)
@example(  # a line on an exact half cent: 36.50 × 1 % × 5 / 365 = 0.005 → 0.01
    kind=("BE", "business"),
    contract=Decimal("1"),
    amount=Decimal("36.50"),
    due=date(2024, 2, 25),
    notice_after=1,
    length=4,
    payments=[],
    lang="fr",
)
def test_one_invoice_with_payments_matches_the_day_by_day_reference(
    kind, contract, amount, due, notice_after, length, payments, lang
) -> None:  # type: ignore[no-untyped-def]
    country, debtor_kind = kind
    notice = due + timedelta(days=notice_after)
    first_day = due + timedelta(days=1)
    if debtor_kind == "consumer":  # from the formal notice (art. 1344-1 C. civ.)
        first_day = notice + timedelta(days=1)
    at = min(first_day + timedelta(days=length), LAST)
    pays = tuple(
        PaymentFacts(first_day + timedelta(days=d), a) for d, a in sorted(payments)
    )
    facts = ClaimFacts(
        country=country,
        debtor_kind=debtor_kind,
        invoices=(InvoiceFacts("F1", due - timedelta(days=30), due, amount),),
        payments=pays,
        contract_rate=contract,
        formal_notice_sent_on=notice,
    )
    with translation.override(lang):
        s = compute_statement(facts, TABLE, at)
    # What each payment took off the principal (the allocation's own output:
    # the reference checks the interest, test_properties the allocation).
    paid_before: dict[date, Decimal] = {}
    for a in s.allocations:
        paid_before[a.on] = paid_before.get(a.on, Decimal(0)) + a.to_principal
    want = reference_lines(
        country, debtor_kind, contract, facts.invoices[0], first_day, at, paid_before
    )
    assert engine_lines(s, "F1") == sorted(want)
    assert s.interest == sum((line[5] for line in want), Decimal("0.00"))


@settings(max_examples=150, deadline=None)
@given(
    kind=claim_kinds,
    contract=contract_rates,
    invoices=st.lists(st.tuples(money, dates), min_size=1, max_size=4),
    length=st.integers(min_value=0, max_value=2000),
)
def test_several_invoices_each_match_the_day_by_day_reference(
    kind, contract, invoices, length
) -> None:  # type: ignore[no-untyped-def]
    country, debtor_kind = kind
    notice = max(due for _a, due in invoices) + timedelta(days=1)
    facts = ClaimFacts(
        country=country,
        debtor_kind=debtor_kind,
        invoices=tuple(
            InvoiceFacts(f"F{n}", due - timedelta(days=30), due, amount)
            for n, (amount, due) in enumerate(invoices)
        ),
        contract_rate=contract,
        formal_notice_sent_on=notice,
    )
    at = min(notice + timedelta(days=length), LAST)
    s = compute_statement(facts, TABLE, at)
    total = Decimal("0.00")
    for invoice in facts.invoices:
        first_day = invoice.due_date + timedelta(days=1)
        if debtor_kind == "consumer":
            first_day = notice + timedelta(days=1)
        want = reference_lines(
            country, debtor_kind, contract, invoice, first_day, at, {}
        )
        assert engine_lines(s, invoice.number) == sorted(want)
        total += sum((line[5] for line in want), Decimal("0.00"))
    assert s.interest == total
