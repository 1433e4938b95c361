"""The invariant every fault test ends with: each due action sent exactly once."""

from __future__ import annotations

from claims.models import Action


def done_ids(claim_ids: list[int]) -> set[int]:
    return set(
        Action.objects.filter(claim_id__in=claim_ids, state="done").values_list(
            "pk", flat=True
        )
    )


def converged(claim_ids: list[int]) -> bool:
    """Every claim has its step of today done, nothing is left running."""
    done = Action.objects.filter(claim_id__in=claim_ids, state="done")
    running = Action.objects.filter(claim_id__in=claim_ids, state="running")
    return (
        done.values("claim_id").distinct().count() == len(claim_ids)
        and not running.exists()
    )


def exactly_once(sent, claim_ids: list[int]) -> tuple[list[int], list[int], list[int]]:
    """(duplicated ids, done but never sent, sent but not done) — all empty if OK."""
    done = done_ids(claim_ids)
    dup = sorted(pk for pk, n in sent.items() if n > 1 and pk in _ids(claim_ids))
    lost = sorted(done - set(sent))
    extra = sorted(pk for pk in set(sent) & _ids(claim_ids) if pk not in done)
    return dup, lost, extra


def _ids(claim_ids: list[int]) -> set[int]:
    return set(
        Action.objects.filter(claim_id__in=claim_ids).values_list("pk", flat=True)
    )
