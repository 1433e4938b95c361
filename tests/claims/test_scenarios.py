"""Default scenarios, their lawfulness and date planning (pure, no DB)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from claims.engine.scenarios import BE_B2B
from claims.engine.scenarios import BE_B2C
from claims.engine.scenarios import DEFAULTS
from claims.engine.scenarios import FR_B2C
from claims.engine.scenarios import StepSpec
from claims.engine.scenarios import plan_dates
from claims.engine.scenarios import validate_scenario


@pytest.mark.parametrize(("key", "specs"), list(DEFAULTS.items()))
def test_every_default_scenario_is_lawful(key, specs):
    assert validate_scenario(specs, *key) == []


def test_be_b2b_follows_legal_brief_d_timeline():
    # legal-brief (d) Belgium B2B: D+3, D+15, D+30, D+45.
    assert plan_dates(BE_B2B, date(2026, 3, 1)) == [
        date(2026, 3, 4),
        date(2026, 3, 16),
        date(2026, 3, 31),
        date(2026, 4, 15),
    ]


def test_previous_step_anchor_and_pre_due_reminders():
    steps = [
        StepSpec("pre_due", -5),
        StepSpec("first_reminder", 3),
        StepSpec("reminder", 10, anchor="previous_step"),
    ]
    assert plan_dates(steps, date(2026, 3, 10)) == [
        date(2026, 3, 5),
        date(2026, 3, 13),
        date(2026, 3, 23),
    ]
    assert validate_scenario(steps, "BE", "business") == []


def test_be_consumer_first_reminder_must_be_free():
    steps = [replace(BE_B2C[0], claims_fees=True), *BE_B2C[1:]]
    errors = validate_scenario(steps, "BE", "consumer")
    assert any("gratuit" in e and "XIX.2" in e for e in errors)


def test_be_consumer_nothing_may_follow_before_the_waiting_period():
    # E-mail first reminder at D+7: the period starts D+8, ends D+22.
    steps = [BE_B2C[0], StepSpec("reminder", 20, claims_fees=True), BE_B2C[2]]
    errors = validate_scenario(steps, "BE", "consumer")
    assert errors == [
        "Étape 2 : rien ne peut suivre le premier rappel avant la fin du délai "
        "d'attente de 14 jours (art. XIX.2 CDE) — au plus tôt 15 jours après le "
        "premier rappel."
    ]
    ok = [BE_B2C[0], StepSpec("reminder", 22, claims_fees=True), BE_B2C[2]]
    assert validate_scenario(ok, "BE", "consumer") == []


def test_be_consumer_must_start_with_a_first_reminder():
    steps = [StepSpec("formal_notice", 7), *BE_B2C[2:]]
    assert "premier rappel écrit" in validate_scenario(steps, "BE", "consumer")[0]


@pytest.mark.parametrize("country", ["BE", "FR"])
def test_a_fixed_40_eur_on_a_consumer_is_refused(country):
    base = BE_B2C if country == "BE" else FR_B2C
    steps = [*base[:-2], replace(base[-2], fee=Decimal("40.00")), base[-1]]
    errors = validate_scenario(steps, country, "consumer")
    assert any("40.00 EUR" in e for e in errors)
    # The same fee on a business is the legal 40 € indemnity: accepted.
    assert validate_scenario(steps, country, "business") == []


def test_fr_consumer_no_recovery_costs_and_interest_only_from_formal_notice():
    steps = [
        replace(FR_B2C[0], claims_interest=True),
        replace(FR_B2C[1], claims_fees=True),
        *FR_B2C[2:],
    ]
    errors = validate_scenario(steps, "FR", "consumer")
    assert any("L111-8" in e for e in errors)
    assert any("mise en demeure" in e for e in errors)


def test_shape_errors():
    steps = [
        StepSpec("reminder", -2),
        StepSpec("escalate", 30, channel="escalate"),
        StepSpec("reminder", 20),
    ]
    errors = validate_scenario(steps, "BE", "business")
    assert any("avant échéance" in e for e in errors)
    assert any("dernière" in e for e in errors)
    assert any("avant l'étape précédente" in e for e in errors)
    assert validate_scenario([], "BE", "business")
