"""The claim state machine, in one place: a pure transition table.

amicable → formal notice → judicial, with side states payment plan, disputed
and paused, ending in closed. No ORM, no clock: services apply what this
module allows (``claims.engine.collection.claim_transition``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from claims.models.choices import Stage

_SIDE = frozenset({Stage.PAYMENT_PLAN, Stage.DISPUTED, Stage.PAUSED})

ALLOWED: dict[Stage, frozenset[Stage]] = {
    Stage.AMICABLE: frozenset({Stage.FORMAL_NOTICE, Stage.JUDICIAL, Stage.CLOSED})
    | _SIDE,
    Stage.FORMAL_NOTICE: frozenset({Stage.JUDICIAL, Stage.CLOSED}) | _SIDE,
    # Once in court, only a dispute, an agreed plan or the end are possible.
    Stage.JUDICIAL: frozenset({Stage.PAYMENT_PLAN, Stage.DISPUTED, Stage.CLOSED}),
    Stage.PAYMENT_PLAN: frozenset(
        {Stage.AMICABLE, Stage.FORMAL_NOTICE, Stage.JUDICIAL, Stage.DISPUTED}
    )
    | {Stage.CLOSED},
    Stage.DISPUTED: frozenset(
        {Stage.AMICABLE, Stage.FORMAL_NOTICE, Stage.JUDICIAL, Stage.PAYMENT_PLAN}
    )
    | {Stage.CLOSED},
    Stage.PAUSED: frozenset(
        {
            Stage.AMICABLE,
            Stage.FORMAL_NOTICE,
            Stage.JUDICIAL,
            Stage.DISPUTED,
            Stage.PAYMENT_PLAN,
            Stage.CLOSED,
        }
    ),
    Stage.CLOSED: frozenset(),
}

#: Stages in which the scenario runs by itself.
AUTOMATIC = frozenset({Stage.AMICABLE, Stage.FORMAL_NOTICE})


class TransitionError(ValueError):
    """An illegal stage change; ``str(exc)`` is a message for the user."""


def check_transition(before: str, after: str) -> None:
    """Raise :class:`TransitionError` unless ``before → after`` is allowed."""
    try:
        b, a = Stage(before), Stage(after)
    except ValueError as exc:
        raise TransitionError(_("Étape inconnue : %s") % exc) from exc
    if b == a:
        raise TransitionError(
            _("La créance est déjà à l'étape « %(s)s ».") % {"s": b.label}
        )
    if a not in ALLOWED[b]:
        raise TransitionError(
            _("Passage interdit de « %(b)s » à « %(a)s ».")
            % {"b": b.label, "a": a.label}
        )


def can_transition(before: str, after: str) -> bool:
    """True when ``before → after`` is allowed."""
    try:
        check_transition(before, after)
    except TransitionError:
        return False
    return True


# ---------------------------------------------------------------- steps and stages

#: The stage a step belongs to: a step of an earlier stage contradicts the claim's
#: stage (a first reminder to a claim at the formal-notice stage, say).
STEP_STAGE: dict[str, Stage] = {
    "pre_due": Stage.AMICABLE,
    "first_reminder": Stage.AMICABLE,
    "reminder": Stage.AMICABLE,
    "formal_notice": Stage.FORMAL_NOTICE,
}
_RANK = {Stage.AMICABLE: 0, Stage.FORMAL_NOTICE: 1, Stage.JUDICIAL: 2}
#: Side stages during which every planned step is held (and shown as held).
HOLDING = frozenset({Stage.DISPUTED, Stage.PAUSED, Stage.PAYMENT_PLAN})


def stage_after_step(stage: str, kind: str) -> Stage | None:
    """The stage a claim enters when a step of ``kind`` is done; None = unchanged.

    Sending a formal notice moves an amicable claim to the formal-notice stage.
    """
    target = STEP_STAGE.get(kind)
    if target is None or stage not in _RANK:
        return None
    if _RANK[target] > _RANK[Stage(stage)]:
        return target
    return None


def step_contradiction(
    kind: str, stage: str, *, formal_notice_sent: bool = False
) -> str | None:
    """Why a step of ``kind`` must not be sent to a claim at ``stage``; None = fine.

    A step of an earlier stage than the claim's (a reminder after the formal
    notice) or a second formal notice contradicts what the claim went through.
    """
    target = STEP_STAGE.get(kind)
    if target is None or stage not in _RANK:
        return None
    if _RANK[target] < _RANK[Stage(stage)]:
        return _("« %(k)s » ne correspond plus à l'étape « %(s)s »") % {
            "k": kind,
            "s": Stage(stage).label,
        }
    if kind == "formal_notice" and formal_notice_sent:
        return _("Mise en demeure déjà envoyée")
    return None


def hold_reason(stage: str) -> str:
    """Why the planned steps of a claim at ``stage`` are held; "" = not held."""
    if stage == Stage.DISPUTED:
        return _("Suspendue : créance contestée")
    if stage == Stage.PAUSED:
        return _("Suspendue : pause (promesse de paiement)")
    if stage == Stage.PAYMENT_PLAN:
        return _("Suspendue : plan d'apurement en cours")
    return ""
