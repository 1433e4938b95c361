"""The invariants every fault test ends with.

Never twice (no action in two accepted messages), never silently lost (a done
action was sent exactly once; an action whose worker died after the intent is
"uncertain", sent 0 or 1 times and listed for the owner), nothing in flight.
"""

from __future__ import annotations

from django.utils import timezone

from claims.ledger.selectors import actions_uncertain
from claims.models import Action

SETTLED = ("done", "uncertain")
IN_FLIGHT = ("running", "sending")


def done_ids(claim_ids: list[int]) -> set[int]:
    return _state_ids(claim_ids, "done")


def uncertain_ids(claim_ids: list[int]) -> set[int]:
    return _state_ids(claim_ids, "uncertain")


def _state_ids(claim_ids: list[int], state: str) -> set[int]:
    return set(
        Action.objects.filter(claim_id__in=claim_ids, state=state).values_list(
            "pk", flat=True
        )
    )


def converged(claim_ids: list[int]) -> bool:
    """Every claim has its step of today settled (done or uncertain), nothing
    is in flight and nothing due is left planned."""
    actions = Action.objects.filter(claim_id__in=claim_ids)
    settled = actions.filter(state__in=SETTLED)
    return (
        settled.values("claim_id").distinct().count() == len(claim_ids)
        and not actions.filter(state__in=IN_FLIGHT).exists()
        and not actions.filter(
            state="planned", due_on__lte=timezone.localdate()
        ).exists()
    )


def exactly_once(sent, claim_ids: list[int]) -> tuple[list[int], list[int], list[int]]:
    """(sent twice, done but never sent, sent but neither done nor uncertain)."""
    mine = _ids(claim_ids)
    done = done_ids(claim_ids)
    settled = done | uncertain_ids(claim_ids)
    dup = sorted(pk for pk, n in sent.items() if n > 1 and pk in mine)
    lost = sorted(done - set(sent))
    extra = sorted(pk for pk in set(sent) & mine if pk not in settled)
    return dup, lost, extra


def uncertain_listed(claim_ids: list[int]) -> bool:
    """Every uncertain action is on its owner's list (the selector the UI uses)."""
    rows = Action.objects.filter(claim_id__in=claim_ids, state="uncertain")
    for creditor_id in set(rows.values_list("creditor_id", flat=True)):
        listed = set(
            actions_uncertain(creditor_id=creditor_id).values_list("pk", flat=True)
        )
        if (
            not set(rows.filter(creditor_id=creditor_id).values_list("pk", flat=True))
            <= listed
        ):
            return False
    return True


def _ids(claim_ids: list[int]) -> set[int]:
    return set(
        Action.objects.filter(claim_id__in=claim_ids).values_list("pk", flat=True)
    )
