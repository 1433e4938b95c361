"""Planning on claim opening, scenario choice and copies."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from claims.engine.collection import claims_plan
from claims.engine.collection import scenario_copy
from claims.engine.collection import scenario_for
from claims.engine.collection import scenario_steps_replace
from claims.engine.scenarios import StepSpec
from claims.models import Action
from claims.models import Scenario
from tests import factories as f
from tests.claims.engine_fixtures import open_claim

pytestmark = pytest.mark.usefixtures("engine_seed")
D = date(2026, 3, 2)


def test_seed_creates_four_default_scenarios():
    defaults = Scenario.objects.filter(creditor__isnull=True)
    assert sorted(defaults.values_list("country", "debtor_kind")) == [
        ("BE", "business"),
        ("BE", "consumer"),
        ("FR", "business"),
        ("FR", "consumer"),
    ]


def test_opening_a_claim_plans_its_scenario_from_the_due_date():
    creditor = f.CreditorFactory()
    claim = open_claim(creditor, f.DebtorFactory(creditor=creditor), due=D)
    assert claim.scenario.country == "BE"
    assert claim.scenario.debtor_kind == "business"
    planned = list(
        Action.objects.filter(claim=claim).values_list("step__kind", "due_on")
    )
    assert planned == [
        ("first_reminder", date(2026, 3, 5)),
        ("reminder", date(2026, 3, 17)),
        ("formal_notice", date(2026, 4, 1)),
        ("escalate", date(2026, 4, 16)),
    ]
    assert claim.next_action_on == date(2026, 3, 5)


def test_planning_twice_creates_nothing_new():
    creditor = f.FrenchCreditorFactory()
    claim = open_claim(creditor, f.ConsumerFactory(creditor=creditor), due=D)
    assert claims_plan(claim_ids=[claim.pk]) == 1
    assert Action.objects.filter(claim=claim).count() == 4
    assert claim.scenario.debtor_kind == "consumer"
    assert claim.scenario.country == "FR"


def test_a_creditor_copy_wins_over_the_default_and_is_validated():
    creditor = f.CreditorFactory()
    debtor = f.ConsumerFactory(creditor=creditor)
    default = scenario_for(creditor=creditor, debtor=debtor)
    assert default.creditor_id is None
    mine = scenario_copy(scenario=default, creditor=creditor)
    assert scenario_for(creditor=creditor, debtor=debtor) == mine
    assert mine.steps.count() == default.steps.count()
    with pytest.raises(ValidationError, match="gratuit"):
        scenario_steps_replace(
            scenario=mine, steps=[StepSpec("first_reminder", 7, claims_fees=True)]
        )
    scenario_steps_replace(
        scenario=mine, steps=[StepSpec("pre_due", -3), StepSpec("first_reminder", 5)]
    )
    claim = open_claim(creditor, debtor, due=D)
    assert list(
        Action.objects.filter(claim=claim).values_list("due_on", flat=True)
    ) == [
        date(2026, 2, 27),
        date(2026, 3, 7),
    ]
    with pytest.raises(ValidationError):
        scenario_steps_replace(scenario=default, steps=[StepSpec("first_reminder", 5)])


def test_planning_new_claims_with_copy_writes_the_same_rows():
    from django.db import transaction

    from claims.engine.collection import claims_after_open
    from claims.models import Claim

    fr = f.FrenchCreditorFactory()
    be = f.CreditorFactory()
    mine = scenario_copy(
        scenario=scenario_for(creditor=be, debtor=f.DebtorFactory(creditor=be)),
        creditor=be,
    )
    scenario_steps_replace(
        scenario=mine,
        steps=[
            StepSpec("pre_due", -3),
            StepSpec("first_reminder", 5),
            StepSpec("first_reminder", 9, anchor="previous_step"),
        ],
    )
    claims = [
        open_claim(fr, f.ConsumerFactory(creditor=fr), due=D),
        open_claim(be, f.DebtorFactory(creditor=be), due=D, n=2),
        open_claim(be, f.ConsumerFactory(creditor=be), due=date(2026, 1, 15)),
    ]
    ids = [c.pk for c in claims]
    columns = [
        fld.attname
        for fld in Action._meta.concrete_fields
        if fld.attname not in ("id", "code", "created_at")
    ]

    def plan(**kw):
        with transaction.atomic():
            Action.objects.filter(claim_id__in=ids).exclude(
                claim_id=ids[1], step__position=0
            ).delete()
            Claim.objects.filter(pk__in=ids[::2]).update(scenario_id=None)
            planned = (
                claims_after_open(claim_ids=ids) if kw else claims_plan(claim_ids=ids)
            )
            rows = sorted(Action.objects.filter(claim_id__in=ids).values_list(*columns))
            codes = set(Action.objects.values_list("code", flat=True))
            scenarios = sorted(
                Claim.objects.filter(pk__in=ids).values_list(
                    "pk", "scenario_id", "next_action_on"
                )
            )
            transaction.set_rollback(True)
        return planned, rows, len(codes), scenarios

    before, after = plan(), plan(new=True)
    assert before == after
    assert len(before[1]) >= 8
