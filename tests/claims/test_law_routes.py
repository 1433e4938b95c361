"""The route advisor (pure): conditions, ordering, costs, prescription."""

from datetime import date
from decimal import Decimal

from claims.law import routes as r
from claims.law.routes import RouteCostFacts
from claims.law.routes import RouteFacts
from claims.law.routes import RouteOutcome
from claims.law.routes import advise

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


def proposed(options):
    return {o.route for o in options}


def test_be_b2b_uncontested_claim_proposes_only_belgian_routes():
    # legal-brief §3.1 (uncontested B2B, both in the BCE), §3.2 (art. 1338,
    # no ceiling between enterprises), §3.3 (juge de paix ≤ 5 000 €).
    options = advise(facts(), COSTS, TODAY)
    assert proposed(options) == {
        r.AMICABLE,
        r.BE_UNCONTESTED,
        r.BE_ORDER_TO_PAY,
        r.BE_SUMMONS_JP,
        r.WRITE_OFF,
    }
    o = by_route(options)
    assert o[r.BE_ORDER_TO_PAY].conditions[1].met is None  # writing: to check
    assert "huissier" in o[r.BE_UNCONTESTED].court.lower()
    assert o[r.BE_UNCONTESTED].net_expected == Decimal("2700.00")  # 3000 − 300
    # Above the juge de paix's 5 000 € the business claim goes to the
    # tribunal de l'entreprise, never to the juge de paix (§3.3).
    big = proposed(advise(facts(balance=Decimal("12000")), COSTS, TODAY))
    assert r.BE_SUMMONS_ENTERPRISE in big
    assert r.BE_SUMMONS_JP not in big
    assert r.BE_ORDER_TO_PAY in big  # no ceiling between enterprises (§3.2)
    # A dispute rules out the uncontested procedures (§3.1, §3.2).
    contested = advise(facts(contested=True), COSTS, TODAY)
    assert proposed(contested) == {r.AMICABLE, r.BE_SUMMONS_JP, r.WRITE_OFF}


def test_be_consumer_claim_never_gets_the_b2b_procedure():
    # legal-brief §3.1 (⚠️ B2B only), §3.2 (≤ 1 860 € before the juge de paix).
    f = facts(debtor_kind="consumer", debtor_has_enterprise_number=False)
    assert proposed(advise(f, COSTS, TODAY)) == {
        r.AMICABLE,
        r.BE_SUMMONS_JP,
        r.WRITE_OFF,
    }
    small = facts(
        debtor_kind="consumer", has_debtor_writing=True, balance=Decimal("1860")
    )
    o = by_route(advise(small, COSTS, TODAY))
    assert set(o) == {r.AMICABLE, r.BE_ORDER_TO_PAY, r.BE_SUMMONS_JP, r.WRITE_OFF}
    assert o[r.BE_ORDER_TO_PAY].eligible
    assert "juge de paix" in o[r.BE_ORDER_TO_PAY].court.lower()
    large = facts(debtor_kind="consumer", balance=Decimal("7000"))
    assert proposed(advise(large, COSTS, TODAY)) == {
        r.AMICABLE,
        r.BE_SUMMONS_FIRST_INSTANCE,
        r.WRITE_OFF,
    }


def test_fr_b2b_claim_under_5000_gets_french_routes_only():
    # legal-brief §8.1 (≤ 5 000 €, all costs on the creditor), §8.2, §8.3.
    costs = [*COSTS, RouteCostFacts(r.FR_SMALL_CLAIMS, "cj", Decimal("150"), True)]
    f = facts(creditor_country="FR", debtor_country="FR", balance=Decimal("4000"))
    options = advise(f, costs, TODAY)
    assert proposed(options) == {
        r.AMICABLE,
        r.FR_SMALL_CLAIMS,
        r.FR_INJONCTION,
        r.FR_REFERE,
        r.WRITE_OFF,
    }
    o = by_route(options)
    assert o[r.FR_SMALL_CLAIMS].conditions[2].met is None  # consent still to obtain
    assert o[r.FR_SMALL_CLAIMS].cost_recoverable == 0  # §8.1
    assert o[r.FR_SMALL_CLAIMS].net_expected == Decimal("3850")
    assert "tribunal de commerce" in o[r.FR_INJONCTION].court
    over = facts(creditor_country="FR", debtor_country="FR", balance=Decimal("5000.01"))
    assert r.FR_SMALL_CLAIMS not in proposed(advise(over, COSTS, TODAY))


def test_debtor_in_germany_gets_the_european_procedures_only():
    # legal-brief §9: neither Belgian nor French national procedures reach a
    # debtor abroad; the European order (no limit, uncontested) and small
    # claims (≤ 5 000 €, may be disputed) do.
    f = facts(debtor_country="DE", balance=Decimal("4000"))
    assert proposed(advise(f, COSTS, TODAY)) == {
        r.AMICABLE,
        r.EU_PAYMENT_ORDER,
        r.EU_SMALL_CLAIMS,
        r.WRITE_OFF,
    }
    big = facts(debtor_country="DE", balance=Decimal("6000"))
    assert proposed(advise(big, COSTS, TODAY)) == {
        r.AMICABLE,
        r.EU_PAYMENT_ORDER,
        r.WRITE_OFF,
    }
    disputed = facts(debtor_country="DE", contested=True)
    assert proposed(advise(disputed, COSTS, TODAY)) == {
        r.AMICABLE,
        r.EU_SMALL_CLAIMS,
        r.WRITE_OFF,
    }
    assert proposed(advise(facts(debtor_country="DK"), COSTS, TODAY)) == {
        r.AMICABLE,
        r.WRITE_OFF,
    }


def test_cross_border_debtor_in_france_gets_european_and_french_courts():
    # legal-brief §9 + §8.2: a Liège creditor vs a French company.
    o = by_route(advise(facts(debtor_country="FR"), COSTS, TODAY))
    assert {r.EU_PAYMENT_ORDER, r.EU_SMALL_CLAIMS, r.FR_INJONCTION} <= set(o)
    assert r.BE_UNCONTESTED not in o
    assert r.BE_ORDER_TO_PAY not in o


def test_learned_outcomes_rank_the_routes_from_five_cases():
    costs = [
        RouteCostFacts(r.BE_UNCONTESTED, "avocat", Decimal("300"), False),
        RouteCostFacts(r.BE_SUMMONS_JP, "avocat", Decimal("600"), False),
    ]
    f = facts(has_debtor_writing=True)
    first = [o.route for o in advise(f, costs, TODAY) if o.route != r.AMICABLE]
    assert first[0] == r.BE_ORDER_TO_PAY  # no cost row: static net is the balance
    poor = RouteOutcome(
        r.BE_ORDER_TO_PAY, 6, 1, 200.0, Decimal("600"), Decimal("6000"), Decimal("900")
    )
    good = RouteOutcome(
        r.BE_UNCONTESTED, 5, 5, 45.0, Decimal("300"), Decimal("5000"), Decimal("5000")
    )
    options = advise(f, costs, TODAY, {r.BE_ORDER_TO_PAY: poor, r.BE_UNCONTESTED: good})
    o = by_route(options)
    assert o[r.BE_UNCONTESTED].net_learned == Decimal("2820.00")  # 94 per 100
    assert o[r.BE_ORDER_TO_PAY].net_learned == Decimal("150.00")  # 5 per 100
    ranked = [x.route for x in options if x.route != r.AMICABLE]
    assert ranked.index(r.BE_UNCONTESTED) < ranked.index(r.BE_SUMMONS_JP)
    assert ranked.index(r.BE_SUMMONS_JP) < ranked.index(r.BE_ORDER_TO_PAY)
    few = RouteOutcome(
        r.BE_ORDER_TO_PAY, 4, 0, None, Decimal("0"), Decimal("100"), Decimal("0")
    )
    assert not by_route(advise(f, costs, TODAY, {r.BE_ORDER_TO_PAY: few}))[
        r.BE_ORDER_TO_PAY
    ].learned


def test_write_off_first_when_costs_exceed_the_balance():
    options = advise(facts(balance=Decimal("200"), contested=True), COSTS, TODAY)
    assert options[0].route == r.WRITE_OFF
    assert options[0].recommended
    assert "600" in options[0].reasons[0]


def test_amicable_continuation_first_while_steps_remain():
    assert advise(facts(amicable_exhausted=False), COSTS, TODAY)[0].route == r.AMICABLE


def test_the_advice_takes_the_statement_prescription_date():
    # One date everywhere: the statement's (claims.law.prescription) is passed
    # in; a Belgian consumer's services claim is time-barred after 10 years
    # (art. 2262bis §1 C. civ.), not after the 1 year of goods sold (art. 2272).
    given = facts(debtor_kind="consumer", prescription_on=date(2036, 2, 14))
    assert {o.prescription_on for o in advise(given, COSTS, TODAY)} == {
        date(2036, 2, 14)
    }
    alone = advise(facts(debtor_kind="consumer"), COSTS, TODAY)
    assert {o.prescription_on for o in alone} == {date(2036, 2, 14)}


def test_the_prescription_day_itself_counts_as_barred_like_the_statement():
    options = by_route(advise(facts(prescription_on=TODAY), COSTS, TODAY))
    assert "prescrite" in " ".join(options[r.WRITE_OFF].reasons)


def test_prescribed_claim_recommends_writing_off():
    # Goods sold to a consumer in Belgium: 1 year (art. 2272 al. 2 C. civ.),
    # the date the statement computed.
    given = facts(
        debtor_kind="consumer",
        oldest_due_date=date(2025, 1, 1),
        prescription_on=date(2026, 1, 1),
    )
    options = advise(given, COSTS, TODAY)
    assert options[0].route == r.WRITE_OFF
    assert "prescrite" in options[0].reasons[-1]


def test_unmeasured_routes_are_discounted_by_the_creditors_recovery_rate():
    # A measured route's figure includes its failures; an unmeasured one's
    # estimate assumes full recovery: it is discounted by the creditor's
    # average judicial recovery so that the two compare fairly.
    costs = [RouteCostFacts(r.BE_SUMMONS_JP, "avocat", Decimal("600"), False)]
    f = facts(has_debtor_writing=True)
    measured = RouteOutcome(
        r.BE_UNCONTESTED, 5, 4, 50.0, Decimal("500"), Decimal("5000"), Decimal("4000")
    )
    assert r.recovery_rate([measured]) == Decimal("0.8")
    o = by_route(advise(f, costs, TODAY, {r.BE_UNCONTESTED: measured}))
    assert o[r.BE_UNCONTESTED].net_learned == Decimal("2100.00")  # 70 per 100
    assert o[r.BE_SUMMONS_JP].net_expected == Decimal("2400")  # shown as is
    ranked = [
        x.route
        for x in advise(f, costs, TODAY, {r.BE_UNCONTESTED: measured})
        if x.route in (r.BE_UNCONTESTED, r.BE_SUMMONS_JP)
    ]
    assert ranked == [r.BE_UNCONTESTED, r.BE_SUMMONS_JP]  # 2100 > 3000×0.8−600
    few = RouteOutcome(
        r.BE_UNCONTESTED, 4, 4, 50.0, Decimal("0"), Decimal("4000"), Decimal("4000")
    )
    assert r.recovery_rate([few]) is None
