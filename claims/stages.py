"""The claim state machine, in one place: a pure transition table.

amicable → formal notice → judicial, with side states payment plan, disputed
and paused, ending in closed. No ORM, no clock: services apply what this
module allows (``claims.services_collection.claim_transition``).
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
