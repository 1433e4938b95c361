"""The stage machine is a pure table (no DB)."""

import pytest

from claims.engine.stages import ALLOWED
from claims.engine.stages import TransitionError
from claims.engine.stages import can_transition
from claims.engine.stages import check_transition
from claims.models import Stage


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Stage.AMICABLE, Stage.FORMAL_NOTICE),
        (Stage.FORMAL_NOTICE, Stage.JUDICIAL),
        (Stage.AMICABLE, Stage.PAUSED),
        (Stage.PAUSED, Stage.AMICABLE),
        (Stage.DISPUTED, Stage.FORMAL_NOTICE),
        (Stage.JUDICIAL, Stage.CLOSED),
        (Stage.PAYMENT_PLAN, Stage.CLOSED),
    ],
)
def test_it_allows_the_normal_path(before, after):
    check_transition(before, after)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Stage.CLOSED, Stage.AMICABLE),
        (Stage.JUDICIAL, Stage.AMICABLE),
        (Stage.FORMAL_NOTICE, Stage.AMICABLE),
        (Stage.JUDICIAL, Stage.PAUSED),
    ],
)
def test_it_refuses_going_back_with_a_french_message(before, after):
    with pytest.raises(TransitionError, match="Passage interdit"):
        check_transition(before, after)


def test_it_refuses_staying_put_and_unknown_stages():
    with pytest.raises(TransitionError, match="déjà"):
        check_transition("amicable", "amicable")
    assert not can_transition("amicable", "nowhere")


def test_every_stage_is_in_the_table_and_closed_is_final():
    assert set(ALLOWED) == set(Stage)
    assert ALLOWED[Stage.CLOSED] == frozenset()
    assert all(Stage.CLOSED in v for k, v in ALLOWED.items() if k != Stage.CLOSED)


def test_a_formal_notice_moves_an_amicable_claim_forward_only():
    from claims.engine.stages import stage_after_step

    assert stage_after_step("amicable", "formal_notice") == Stage.FORMAL_NOTICE
    assert stage_after_step("formal_notice", "formal_notice") is None
    assert stage_after_step("amicable", "reminder") is None
    assert stage_after_step("judicial", "formal_notice") is None


def test_steps_of_an_earlier_stage_contradict_the_claims_stage():
    from claims.engine.stages import step_contradiction

    assert step_contradiction("first_reminder", "formal_notice")
    assert step_contradiction("reminder", "formal_notice")
    assert step_contradiction("first_reminder", "amicable") is None
    assert step_contradiction("formal_notice", "formal_notice") is None
    assert step_contradiction(
        "formal_notice", "formal_notice", formal_notice_sent=True
    ) == ("Mise en demeure déjà envoyée")
    assert step_contradiction("escalate", "formal_notice") is None
