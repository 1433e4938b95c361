"""The route advisor (pure): conditions, ordering, costs, prescription."""

from datetime import date
from decimal import Decimal

from claims.law import routes as r
from claims.law.routes import RouteCostFacts
from claims.law.routes import RouteFacts
from claims.law.routes import advise
from claims.law.routes import prescription_date

TODAY = date(2026, 6, 1)
COSTS = [
    RouteCostFacts(r.BE_UNCONTESTED, "avocat", Decimal("300"), False),
    RouteCostFacts(r.BE_UNCONTESTED, "huissier", Decimal("250"), True),
    RouteCostFacts(r.BE_SUMMONS_JP, "avocat", Decimal("600"), False),
    RouteCostFacts(r.FR_INJONCTION, "greffe", Decimal("35"), True),
]


def facts(**kw):
    base = {
        "creditor_country": "BE",
        "debtor_country": "BE",
        "debtor_kind": "business",
        "balance": Decimal("3000.00"),
        "oldest_due_date": date(2026, 2, 14),
        "debtor_has_enterprise_number": True,
        "amicable_exhausted": True,
    }
    return RouteFacts(**(base | kw))


def by_route(options):
    return {o.route: o for o in options}


def test_be_uncontested_b2b_is_recommended_when_both_are_enterprises():
    options = advise(facts(), COSTS, TODAY)
    assert options[0].route == r.BE_UNCONTESTED
    assert options[0].recommended
    assert options[0].cost_estimated == Decimal("550")
    assert options[0].cost_recoverable == Decimal("250")
    assert options[0].prescription_on == date(2036, 2, 14)


def test_a_dispute_rules_out_the_uncontested_procedure():
    o = by_route(advise(facts(contested=True), COSTS, TODAY))
    assert not o[r.BE_UNCONTESTED].eligible
    assert [c.met for c in o[r.BE_UNCONTESTED].conditions][2] is False
    assert o[r.BE_SUMMONS_JP].eligible


def test_be_order_to_pay_needs_a_writing_and_1860_for_a_consumer():
    o = by_route(
        advise(
            facts(
                debtor_kind="consumer", has_debtor_writing=True, balance=Decimal("1900")
            ),
            COSTS,
            TODAY,
        )
    )
    assert not o[r.BE_ORDER_TO_PAY].eligible
    assert not o[r.BE_UNCONTESTED].eligible
    o = by_route(
        advise(
            facts(
                debtor_kind="consumer", has_debtor_writing=True, balance=Decimal("1860")
            ),
            COSTS,
            TODAY,
        )
    )
    assert o[r.BE_ORDER_TO_PAY].eligible


def test_fr_small_claims_needs_consent_and_5000():
    f = facts(creditor_country="FR", debtor_country="FR", balance=Decimal("4000"))
    o = by_route(advise(f, COSTS, TODAY))
    assert o[r.FR_SMALL_CLAIMS].conditions[2].met is None  # consent still to obtain
    assert o[r.FR_SMALL_CLAIMS].eligible
    o = by_route(
        advise(
            facts(
                creditor_country="FR", debtor_country="FR", balance=Decimal("5000.01")
            ),
            COSTS,
            TODAY,
        )
    )
    assert not o[r.FR_SMALL_CLAIMS].eligible
    assert o[r.FR_INJONCTION].eligible
    assert not o[r.BE_UNCONTESTED].eligible


def test_cross_border_debtor_gets_european_procedures_and_its_own_courts():
    # legal-brief §9: a Liège creditor vs a French company. The Belgian
    # procedures do not reach a debtor abroad; the French courts of the
    # debtor's domicile do (§8.2).
    o = by_route(advise(facts(debtor_country="FR"), COSTS, TODAY))
    assert o[r.EU_PAYMENT_ORDER].eligible
    assert o[r.EU_SMALL_CLAIMS].eligible
    assert not o[r.BE_UNCONTESTED].eligible
    assert not o[r.BE_ORDER_TO_PAY].eligible
    assert o[r.FR_INJONCTION].eligible
    o = by_route(advise(facts(), COSTS, TODAY))
    assert not o[r.EU_PAYMENT_ORDER].eligible


def test_write_off_first_when_costs_exceed_the_balance():
    options = advise(facts(balance=Decimal("200"), contested=True), COSTS, TODAY)
    assert options[0].route == r.WRITE_OFF
    assert options[0].recommended
    assert "600" in options[0].reasons[0]


def test_amicable_continuation_first_while_steps_remain():
    assert advise(facts(amicable_exhausted=False), COSTS, TODAY)[0].route == r.AMICABLE


def test_prescription_dates():
    due = date(2024, 2, 29)
    assert prescription_date(
        country="BE", debtor_kind="business", due_date=due
    ) == date(2034, 2, 28)
    assert prescription_date(
        country="BE", debtor_kind="consumer", due_date=due
    ) == date(2025, 2, 28)
    assert prescription_date(
        country="FR", debtor_kind="business", due_date=due
    ) == date(2029, 2, 28)
    assert prescription_date(
        country="FR",
        debtor_kind="consumer",
        due_date=due,
        performance_date=date(2024, 1, 10),
    ) == date(2026, 1, 10)


def test_prescribed_claim_recommends_writing_off():
    options = advise(
        facts(debtor_kind="consumer", oldest_due_date=date(2025, 1, 1)), COSTS, TODAY
    )
    assert options[0].route == r.WRITE_OFF
    assert "prescrite" in options[0].reasons[-1]
