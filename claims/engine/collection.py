"""Collection engine services: stage changes, planning, manual controls, judicial file.

Keyword-only, typed, transactional; every change writes an Event. The automatic
run (select → deliver) lives in ``claims.engine.run``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.db import transaction
from django.db.models import F
from django.db.models import Min
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from claims.engine.scenarios import StepSpec
from claims.engine.scenarios import plan_dates
from claims.engine.scenarios import validate_scenario
from claims.engine.stages import AUTOMATIC
from claims.engine.stages import TransitionError
from claims.engine.stages import can_transition
from claims.engine.stages import check_transition
from claims.engine.stages import hold_reason
from claims.engine.stages import step_contradiction
from claims.ledger.services import event_record
from claims.ledger.timeline import Said
from claims.ledger.timeline import said
from claims.ledger.webhooks import webhook_emit
from claims.ledger.webhooks import webhook_emit_events
from claims.models import Action
from claims.models import Claim
from claims.models import ClosedReason
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Dispute
from claims.models import Event
from claims.models import JudicialCase
from claims.models import Scenario
from claims.models import ScenarioStep
from claims.models import Stage

SIDE_STAGES = frozenset({Stage.PAUSED, Stage.DISPUTED, Stage.PAYMENT_PLAN})
ERR_CHANGED = "La créance a changé entre-temps (étape « %(s)s ») : rechargez la page."

User = AbstractBaseUser | None


def _label(actor: User) -> str:
    return actor.get_username() if actor is not None else "système"


# ---------------------------------------------------------------- stages


@transaction.atomic
def claim_transition(
    *,
    claim_id: int,
    to: str,
    actor: User,
    reason: str,
    expected_stage: str,
    today: date | None = None,
    closed_reason: str = "",
    paused_until: date | None = None,
    replan: str | None = None,
) -> Claim:
    """Move a claim to ``to`` if it is still at ``expected_stage`` (conditional UPDATE).

    The one writer of ``Claim.stage`` (with its set-based twin
    :func:`claims_stage_set`). What is planned follows the stage: entering a
    side stage holds every planned step (shown as held, with the reason);
    entering an automatic stage skips the steps of earlier stages and re-dates
    the others (see :func:`_replan`; ``replan`` overrides the mode).
    Raises ``TransitionError`` (French message, nothing written) when the move is
    illegal or the claim changed meanwhile.
    """
    check_transition(expected_stage, to)
    reason = reason if isinstance(reason, Said) else str(reason)
    today = today or timezone.localdate()
    fields: dict[str, Any] = {
        "stage": to,
        "stage_entered_on": today,
        "updated_at": timezone.now(),
        "paused_until": paused_until if to == Stage.PAUSED else None,
    }
    if to in SIDE_STAGES and expected_stage not in SIDE_STAGES:
        fields["resume_stage"] = expected_stage
    elif to not in SIDE_STAGES:
        fields["resume_stage"] = ""
    if to == Stage.CLOSED:
        fields |= {
            "status": Claim.Status.CLOSED,
            "closed_reason": closed_reason or ClosedReason.CANCELLED,
            "closed_on": today,
            "next_action_on": None,
        }
    won = Claim.objects.filter(
        pk=claim_id, stage=expected_stage, status=Claim.Status.OPEN
    ).update(**fields)
    if won != 1:
        raise TransitionError(_(ERR_CHANGED) % {"s": expected_stage})
    claim = Claim.objects.get(pk=claim_id)
    event_record(
        claim=claim,
        kind=Event.Kind.STAGE,
        actor=actor,
        message=said(
            gettext_noop("Étape : %(b)s → %(a)s. %(r)s"),
            b=Stage(expected_stage).label,
            a=Stage(to).label,
            r=reason,
        ),
        data={
            "before": expected_stage,
            "after": to,
            "reason": reason,
            "closed_reason": fields.get("closed_reason", ""),
            "paused_until": paused_until.isoformat() if paused_until else None,
        },
    )
    webhook_emit(
        claim=claim,
        event="stage.changed",
        before=expected_stage,
        after=to,
        reason=reason,
    )
    if to == Stage.CLOSED:
        _cancel_planned(claim_ids=[claim_id], reason=reason or _("Créance clôturée"))
    else:
        _after_stage(claim, expected_stage, to, today, actor, replan)
    return claim


def _replan_mode(before: str, to: str) -> str:
    if before in SIDE_STAGES:
        return "push"  # leaving a dispute, pause or plan: nothing is pulled earlier
    return "from_today"  # a manual move between automatic stages


def _after_stage(
    claim: Claim, before: str, to: str, today: date, actor: User, replan: str | None
) -> None:
    """Make the planned steps follow the claim's new stage."""
    _after_stage_many([claim], before, to, today, actor, replan)


def _after_stage_many(
    claims: list[Claim],
    before: str,
    to: str,
    today: date,
    actor: User,
    replan: str | None,
) -> None:
    held = hold_reason(to)
    if held:
        Action.objects.filter(
            claim_id__in=[c.pk for c in claims], state=Action.State.PLANNED
        ).update(reason=held[:500])
        return
    if to in AUTOMATIC:
        _replan(claims, today, actor, replan or _replan_mode(before, to))


def _replan(claims: list[Claim], today: date, actor: User, mode: str) -> None:
    """Skip the planned steps of earlier stages; re-date the others.

    ``from_today``: the first remaining step moves to today (or later, see
    :func:`_earliest_send`), the others keep their distance to it. ``push``:
    the same but never earlier than planned, so no deadline is skipped.
    ``skip``: only skip what contradicts the stage. Constant number of queries.
    """
    by_pk = {c.pk: c for c in claims}
    planned: dict[int, list[Action]] = defaultdict(list)
    for a in (
        Action.objects.filter(claim_id__in=list(by_pk), state=Action.State.PLANNED)
        .select_related("step")
        .order_by("step__position")
    ):
        planned[a.claim_id].append(a)
    if not planned:
        return
    now = timezone.now()
    skipped: list[Action] = []
    changed: list[Action] = []
    for claim_id, actions in planned.items():
        claim = by_pk[claim_id]
        keep = []
        for a in actions:
            why = step_contradiction(
                a.step.kind,
                claim.stage,
                formal_notice_sent=claim.formal_notice_sent_on is not None,
            )
            if why:
                a.state, a.reason, a.done_at = Action.State.SKIPPED, why[:500], now
                skipped.append(a)
            else:
                a.reason = ""
                keep.append(a)
        dated = [a for a in keep if a.step.channel != "call"] or keep
        if dated and mode != "skip":
            shift = (_earliest_send(claim, today) - min(a.due_on for a in dated)).days
            if mode == "push":
                shift = max(shift, 0)
            for a in keep:
                a.due_on += timedelta(days=shift)
        changed += keep
    Action.objects.bulk_update(
        skipped + changed, ["state", "reason", "done_at", "due_on"]
    )
    Event.objects.bulk_create(
        Event(
            creditor_id=a.creditor_id,
            claim_id=a.claim_id,
            kind=Event.Kind.ACTION_SKIPPED,
            actor=actor,
            actor_label=_label(actor),
            message=said(gettext_noop("%(s)s : %(r)s"), s=str(a.step), r=a.reason),
            data={"action": str(a.code), "state": a.state},
        )
        for a in skipped
    )
    claims_refresh_next_action(claim_ids=list(planned))


def claim_replan(*, claim: Claim, today: date, actor: User, mode: str) -> None:
    """Public entry of :func:`_replan` (the engine, after a formal notice)."""
    _replan([claim], today, actor, mode)


def _earliest_send(claim: Claim, today: date) -> date:
    """The first day a step may go out again: after the last deadline given."""
    if claim.reply_by is not None and claim.reply_by >= today:
        return claim.reply_by + timedelta(days=1)
    return today


def claims_stage_set(
    *,
    moves: Iterable[tuple[int, int, str, str]],
    reason: str,
    today: date,
    actor: User = None,
    closed_reason: str = "",
) -> list[int]:
    """Set-based twin of :func:`claim_transition` for bulk moves (same rules).

    ``moves`` = (claim id, creditor id, stage before, stage after). One UPDATE
    per (before, after) pair, conditional on the stage read; illegal moves are
    left out. Returns the ids of the claims moved.
    """
    groups: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for pk, creditor_id, before, after in moves:
        if can_transition(before, after):
            groups[(before, after)].append((pk, creditor_id))
    moved: list[int] = []
    events = []
    reason = reason if isinstance(reason, Said) else str(reason)
    for (before, after), rows in groups.items():
        ids = [pk for pk, _c in rows]
        fields: dict[str, Any] = {
            "stage": after,
            "stage_entered_on": today,
            "updated_at": timezone.now(),
            "paused_until": None,
        }
        if after in SIDE_STAGES and before not in SIDE_STAGES:
            fields["resume_stage"] = before
        elif after not in SIDE_STAGES:
            fields["resume_stage"] = ""
        if after == Stage.CLOSED:
            fields |= {
                "status": Claim.Status.CLOSED,
                "closed_reason": closed_reason or ClosedReason.CANCELLED,
                "closed_on": today,
                "next_action_on": None,
            }
        Claim.objects.filter(pk__in=ids, stage=before, status=Claim.Status.OPEN).update(
            **fields
        )
        moved += ids
        events += [
            Event(
                creditor_id=creditor_id,
                claim_id=pk,
                kind=Event.Kind.STAGE,
                actor=actor,
                actor_label=_label(actor),
                message=said(
                    gettext_noop("Étape : %(b)s → %(a)s. %(r)s"),
                    b=Stage(before).label,
                    a=Stage(after).label,
                    r=reason,
                ),
                data={
                    "before": before,
                    "after": after,
                    "reason": reason,
                    "closed_reason": fields.get("closed_reason", ""),
                },
            )
            for pk, creditor_id in rows
        ]
        if after == Stage.CLOSED:
            _cancel_planned(claim_ids=ids, reason=reason or _("Créance clôturée"))
        else:
            claims = (
                list(Claim.objects.filter(pk__in=ids)) if after in AUTOMATIC else []
            )
            _after_stage_many(
                claims or [Claim(pk=pk) for pk in ids],
                before,
                after,
                today,
                actor,
                None,
            )
    Event.objects.bulk_create(events)
    webhook_emit_events(events)
    return moved


def _cancel_planned(*, claim_ids: Iterable[int], reason: str) -> int:
    return Action.objects.filter(
        claim_id__in=list(claim_ids), state=Action.State.PLANNED
    ).update(state=Action.State.CANCELLED, reason=reason[:500], done_at=timezone.now())


# ---------------------------------------------------------------- scenarios


def step_specs(steps: Iterable[ScenarioStep]) -> list[StepSpec]:
    """Pure specs of stored steps (for validation and date planning)."""
    return [
        StepSpec(
            kind=s.kind,
            offset_days=s.offset_days,
            channel=s.channel,
            anchor=s.anchor,
            min_days_since_contact=s.min_days_since_contact,
            claims_interest=s.claims_interest,
            claims_fees=s.claims_fees,
            fee=s.fee,
            deadline_days=s.deadline_days,
        )
        for s in steps
    ]


def scenario_for(*, creditor: Creditor, debtor: Debtor) -> Scenario | None:
    """The creditor's own active scenario for this kind of debtor, else the default."""
    return (
        Scenario.objects.filter(
            Q(creditor=creditor) | Q(creditor__isnull=True),
            country=creditor.country,
            debtor_kind=debtor.kind,
            is_active=True,
        )
        .order_by(F("creditor").desc(nulls_last=True), "pk")
        .first()
    )


@transaction.atomic
def scenario_copy(
    *, scenario: Scenario, creditor: Creditor, name: str = ""
) -> Scenario:
    """Copy a scenario (usually a default) into the creditor's own, editable one."""
    copy = Scenario.objects.create(
        creditor=creditor,
        name=name or _("%s (copie)") % scenario.name,
        country=scenario.country,
        debtor_kind=scenario.debtor_kind,
        copied_from=scenario,
    )
    steps = list(scenario.steps.all())
    for s in steps:
        s.pk = None
        s.scenario = copy
    ScenarioStep.objects.bulk_create(steps)
    return copy


def scenario_validate(*, scenario: Scenario) -> list[str]:
    """Reasons why the stored scenario is unlawful; empty list = valid."""
    return validate_scenario(
        step_specs(scenario.steps.order_by("position")),
        scenario.country,
        scenario.debtor_kind,
    )


@transaction.atomic
def scenario_steps_replace(*, scenario: Scenario, steps: list[StepSpec]) -> Scenario:
    """Replace a creditor scenario's steps; an unlawful list is refused (nothing written)."""
    if scenario.creditor_id is None:
        raise ValidationError(
            _("Un scénario par défaut ne se modifie pas : copiez-le.")
        )
    errors = validate_scenario(steps, scenario.country, scenario.debtor_kind)
    if errors:
        raise ValidationError(errors)
    if Action.objects.filter(step__scenario=scenario).exists():
        raise ValidationError(
            _("Ce scénario a déjà servi : copiez-le pour le modifier.")
        )
    scenario.steps.all().delete()
    ScenarioStep.objects.bulk_create(
        ScenarioStep(
            scenario=scenario,
            position=i,
            **s.row_fields(),
        )
        for i, s in enumerate(steps, start=1)
    )
    return scenario


# ---------------------------------------------------------------- planning


def claims_plan(*, claim_ids: Iterable[int] | QuerySet, new: bool = False) -> int:
    """Choose a scenario for claims without one and plan all their actions (bulk).

    Set-based: a fixed number of queries (PostgreSQL: one INSERT … SELECT). Actions
    already planned are kept (unique (claim, step) + ``ignore_conflicts``).
    ``new``: claims created in the current transaction, which no other process
    can plan: their actions are computed here and written with ``COPY``
    (claims.ledger.bulk), the fastest insert, minus any already planned.
    Returns the number of claims planned.
    """
    ids = claim_ids if isinstance(claim_ids, QuerySet) else list(claim_ids)
    rows = list(
        Claim.objects.filter(
            pk__in=ids,
            status=Claim.Status.OPEN,
            oldest_due_date__isnull=False,
        ).values(
            "pk",
            "creditor_id",
            "debtor_id",
            "oldest_due_date",
            "scenario_id",
            "creditor__country",
            "debtor__kind",
        )
    )
    if not rows:
        return 0
    _assign_scenarios(rows)
    steps_by_scenario = _steps_by_scenario({r["scenario_id"] for r in rows})
    if new:
        _insert_actions_copy(rows, steps_by_scenario)
    elif connection.vendor == "postgresql":
        _insert_actions_sql(rows, steps_by_scenario)
    else:
        _insert_actions_orm(rows, steps_by_scenario)
    claims_refresh_next_action(claim_ids=[r["pk"] for r in rows])
    return len(rows)


# Each step's distance from the due date, computed once per scenario (pure).
def _offsets(steps: list[ScenarioStep]) -> list[int]:
    origin = date(2000, 1, 1)
    return [(d - origin).days for d in plan_dates(step_specs(steps), origin)]


_INSERT_SQL = """
INSERT INTO claims_action
    (code, creditor_id, claim_id, debtor_id, step_id, due_on, state, attempts,
     reason, created_at)
SELECT gen_random_uuid(), c.creditor_id, c.id, c.debtor_id, o.step_id,
       c.oldest_due_date + o.days, 'planned', 0, '', %s
FROM claims_claim c
JOIN unnest(%s::bigint[], %s::bigint[], %s::int[]) AS o(scenario_id, step_id, days)
  ON o.scenario_id = c.scenario_id
WHERE c.id = ANY(%s::bigint[])
ON CONFLICT DO NOTHING
"""


def _insert_actions_sql(
    rows: list[dict[str, Any]], steps_by_scenario: dict[int, list[ScenarioStep]]
) -> None:
    """PostgreSQL: one INSERT … SELECT plans every claim at once (no Python loop)."""
    scen, step_ids, days = [], [], []
    for scenario_id, steps in steps_by_scenario.items():
        for step, offset in zip(steps, _offsets(steps), strict=True):
            scen.append(scenario_id)
            step_ids.append(step.pk)
            days.append(offset)
    with connection.cursor() as cur:
        cur.execute(
            _INSERT_SQL,
            [timezone.now(), scen, step_ids, days, [r["pk"] for r in rows]],
        )


def _insert_actions_copy(
    rows: list[dict[str, Any]], steps_by_scenario: dict[int, list[ScenarioStep]]
) -> None:
    """The rows ``_INSERT_SQL`` would write (each step at its offset from the
    oldest due date), minus the (claim, step) pairs already planned, inserted
    with ``COPY`` on PostgreSQL and ``bulk_create`` elsewhere."""
    from claims.ledger.bulk import insert_rows

    offsets = {
        scenario_id: [
            (step.pk, timedelta(days=days))
            for step, days in zip(steps, _offsets(steps), strict=True)
        ]
        for scenario_id, steps in steps_by_scenario.items()
    }
    planned = set(
        Action.objects.filter(claim_id__in=[r["pk"] for r in rows]).values_list(
            "claim_id", "step_id"
        )
    )
    insert_rows(
        Action,
        [
            {
                "creditor_id": r["creditor_id"],
                "claim_id": r["pk"],
                "debtor_id": r["debtor_id"],
                "step_id": step_id,
                "due_on": r["oldest_due_date"] + delta,
            }
            for r in rows
            for step_id, delta in offsets.get(r["scenario_id"], ())
            if (r["pk"], step_id) not in planned
        ],
    )


def _insert_actions_orm(
    rows: list[dict[str, Any]], steps_by_scenario: dict[int, list[ScenarioStep]]
) -> None:
    actions = []
    for r in rows:
        steps = steps_by_scenario.get(r["scenario_id"], [])
        dates = plan_dates(step_specs(steps), r["oldest_due_date"])
        actions += [
            Action(
                creditor_id=r["creditor_id"],
                claim_id=r["pk"],
                debtor_id=r["debtor_id"],
                step=s,
                due_on=d,
            )
            for s, d in zip(steps, dates, strict=True)
        ]
    Action.objects.bulk_create(actions, ignore_conflicts=True, batch_size=5000)


_ASSIGN_SQL = """
UPDATE claims_claim c SET scenario_id = u.scenario_id
FROM unnest(%s::bigint[], %s::bigint[]) AS u(id, scenario_id)
WHERE c.id = u.id AND c.scenario_id IS NULL
"""


def _assign_scenarios(rows: list[dict[str, Any]]) -> None:
    todo = [r for r in rows if r["scenario_id"] is None]
    if not todo:
        return
    scenarios = Scenario.objects.filter(
        Q(creditor_id__in={r["creditor_id"] for r in todo}) | Q(creditor__isnull=True),
        is_active=True,
    ).order_by(F("creditor").desc(nulls_last=True), "pk")
    chosen: dict[tuple[int | None, str, str], int] = {}
    for s in scenarios.values("pk", "creditor_id", "country", "debtor_kind"):
        chosen.setdefault((s["creditor_id"], s["country"], s["debtor_kind"]), s["pk"])
    by_scenario: dict[int, list[int]] = defaultdict(list)
    for r in todo:
        key = (r["creditor__country"], r["debtor__kind"])
        pk = chosen.get((r["creditor_id"], *key)) or chosen.get((None, *key))
        if pk is not None:
            r["scenario_id"] = pk
            by_scenario[pk].append(r["pk"])
    if connection.vendor == "postgresql":
        ids = [c for cs in by_scenario.values() for c in cs]
        sids = [pk for pk, cs in by_scenario.items() for _c in cs]
        with connection.cursor() as cur:
            cur.execute(_ASSIGN_SQL, [ids, sids])
        return
    # One UPDATE per scenario (a handful), not per claim.
    for pk, ids in by_scenario.items():
        Claim.objects.filter(pk__in=ids, scenario__isnull=True).update(scenario_id=pk)


def _steps_by_scenario(ids: set[int | None]) -> dict[int, list[ScenarioStep]]:
    out: dict[int, list[ScenarioStep]] = defaultdict(list)
    for s in ScenarioStep.objects.filter(scenario_id__in=ids).order_by("position"):
        out[s.scenario_id].append(s)
    return out


_NEXT_ACTION_SQL = """
UPDATE claims_claim c SET next_action_on = m.first
FROM (
    SELECT u.id, MIN(a.due_on) AS first
    FROM unnest(%s::bigint[]) AS u(id)
    LEFT JOIN claims_action a ON a.claim_id = u.id AND a.state = 'planned'
    GROUP BY u.id
) m
WHERE c.id = m.id AND c.next_action_on IS DISTINCT FROM m.first
"""


def claims_refresh_next_action(*, claim_ids: Iterable[int]) -> None:
    """Set ``next_action_on`` to the earliest planned action (one UPDATE)."""
    ids = list(claim_ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(_NEXT_ACTION_SQL, [ids])
        return
    first = (
        Action.objects.filter(claim_id=OuterRef("pk"), state=Action.State.PLANNED)
        .values("claim_id")
        .annotate(first=Min("due_on"))
        .values("first")
    )
    Claim.objects.filter(pk__in=ids).update(next_action_on=Subquery(first))


def claim_plan_on_open(*, claim: Claim) -> None:
    """Hook for ``claims.ledger.services.claim_open``: plan the new claim's scenario."""
    claims_plan(claim_ids=[claim.pk])
    claim.refresh_from_db(fields=["scenario", "next_action_on"])


# ---------------------------------------------------------------- payments


def claim_after_payment(
    *, claim: Claim, actor: User = None, today: date | None = None
) -> bool:
    """Close the claim as paid when its balance reached 0; True when closed.

    Called by ``payment_record`` after the totals are refreshed, inside its
    transaction and under its lock: planned actions are cancelled with it.
    """
    if claim.balance > 0 or claim.status != Claim.Status.OPEN:
        return False
    claim_transition(
        claim_id=claim.pk,
        to=Stage.CLOSED,
        actor=actor,
        reason=_("Solde payé"),
        expected_stage=claim.stage,
        today=today,
        closed_reason=ClosedReason.PAID,
    )
    claim.refresh_from_db(fields=["status", "stage", "closed_reason", "closed_on"])
    _thank_after_commit([claim.pk], claim.closed_on or timezone.localdate())
    return True


def _thank_after_commit(claim_ids: list[int], today: date) -> None:
    """The thank-you for a claim paid in full leaves once, after the commit."""
    from claims.engine.execution import Notice
    from claims.engine.plans import notice_after_commit

    for pk in claim_ids:
        notice_after_commit(Notice("thank_you", pk, pk, today))


def claim_after_reversal(
    *, claim: Claim, actor: User = None, today: date | None = None
) -> bool:
    """Re-open a claim closed as paid once a reversal makes money due again.

    Called by the ledger reversals (``claims.ledger.services``) after the totals are
    refreshed, under the claim's lock. The claim goes back to the stage it was
    closed from, and the steps the closing cancelled are planned again (the
    run decides, as for any planned step, what is lawful to send). True when
    re-opened.
    """
    if (
        claim.balance <= 0
        or claim.status != Claim.Status.CLOSED
        or claim.closed_reason != ClosedReason.PAID
    ):
        return False
    closing = (
        Event.objects.filter(claim_id=claim.pk, kind=Event.Kind.STAGE)
        .filter(data__after=Stage.CLOSED)
        .order_by("-at", "-pk")
        .first()
    )
    back_to = (closing.data.get("before") if closing else "") or Stage.AMICABLE
    today = today or timezone.localdate()
    won = Claim.objects.filter(
        pk=claim.pk, status=Claim.Status.CLOSED, closed_reason=ClosedReason.PAID
    ).update(
        status=Claim.Status.OPEN,
        stage=back_to,
        stage_entered_on=today,
        closed_reason="",
        closed_on=None,
        updated_at=timezone.now(),
    )
    if won != 1:
        return False
    if closing is not None:
        Action.objects.filter(
            claim_id=claim.pk,
            state=Action.State.CANCELLED,
            reason=str(closing.data.get("reason", ""))[:500],
            done_at__gte=closing.at,
        ).update(state=Action.State.PLANNED, reason="", done_at=None)
    claim.refresh_from_db()
    event_record(
        claim=claim,
        kind=Event.Kind.STAGE,
        actor=actor,
        message=said(
            gettext_noop("Étape : %(b)s → %(a)s. %(r)s"),
            b=Stage.CLOSED.label,
            a=Stage(back_to).label,
            r=said(gettext_noop("Créance rouverte : une écriture a été annulée")),
        ),
        data={"before": Stage.CLOSED, "after": back_to, "reason": "reversal"},
    )
    claims_plan(claim_ids=[claim.pk])
    claim.refresh_from_db()
    return True


def claims_after_payment(
    *, claim_ids: Iterable[int], today: date | None = None, actor: User = None
) -> int:
    """Set-based twin of :func:`claim_after_payment` for bulk bookings (bank import).

    Closes as paid, in one UPDATE, the open claims of ``claim_ids`` whose balance
    reached 0, writes their STAGE events and cancels what was planned. Returns
    the number of claims closed.
    """
    today = today or timezone.localdate()
    rows = list(
        Claim.objects.filter(
            pk__in=list(claim_ids), status=Claim.Status.OPEN, balance__lte=0
        ).values_list("pk", "creditor_id", "stage")
    )
    moved = claims_stage_set(
        moves=[(pk, c, stage, Stage.CLOSED) for pk, c, stage in rows],
        reason=_("Solde payé"),
        today=today,
        actor=actor,
        closed_reason=ClosedReason.PAID,
    )
    _thank_after_commit(moved, today)
    return len(moved)


def claims_after_open(*, claim_ids: Iterable[int], today: date | None = None) -> int:
    """Hook for bulk imports: plan the scenario of the claims they just
    created, in their transaction (set-based, written with ``COPY``)."""
    return claims_plan(claim_ids=list(claim_ids), new=True)


# ---------------------------------------------------------------- manual controls


def _claim(claim_id: int) -> Claim:
    return Claim.objects.select_for_update().get(pk=claim_id)


@transaction.atomic
def action_skip(*, action_id: int, actor: User, reason: str) -> bool:
    """Skip one planned step; False when it was no longer planned."""
    action = Action.objects.select_related("claim", "step").get(pk=action_id)
    won = Action.objects.filter(pk=action_id, state=Action.State.PLANNED).update(
        state=Action.State.SKIPPED, reason=reason[:500], done_at=timezone.now()
    )
    if won:
        event_record(
            claim=action.claim,
            kind=Event.Kind.ACTION_SKIPPED,
            actor=actor,
            message=said(
                gettext_noop("Étape passée : %(s)s. %(r)s"),
                s=str(action.step),
                r=reason,
            ),
            data={"action": str(action.code), "reason": reason},
        )
        claims_refresh_next_action(claim_ids=[action.claim_id])
    return bool(won)


def send_next_now(*, claim_id: int, actor: User, today: date | None = None) -> Any:
    """Send the claim's next planned step now (ignores the delays, not the law
    nor the deadline printed in the last message: those still hold it)."""
    from claims.engine.run import actions_deliver

    today = today or timezone.localdate()
    action = (
        Action.objects.filter(claim_id=claim_id, state=Action.State.PLANNED)
        .exclude(step__channel="call")
        .order_by("step__position")
        .first()
    )
    if action is None:
        raise ValidationError(_("Aucune étape prévue pour cette créance."))
    Action.objects.filter(pk=action.pk, due_on__gt=today).update(due_on=today)
    return actions_deliver(
        creditor_id=action.creditor_id,
        debtor_id=action.debtor_id,
        action_ids=[action.pk],
        today=today,
        force=True,
        actor=actor,
    )


@transaction.atomic
def call_record(*, action_id: int, actor: User, note: str) -> bool:
    """A person made the phone call of a ``call`` step: mark it done."""
    action = Action.objects.select_related("claim").get(pk=action_id)
    won = Action.objects.filter(
        pk=action_id, state=Action.State.PLANNED, step__channel="call"
    ).update(state=Action.State.DONE, reason=note[:500], done_at=timezone.now())
    if won:
        today = timezone.localdate()
        Claim.objects.filter(pk=action.claim_id).update(last_contact_on=today)
        event_record(
            claim=action.claim,
            kind=Event.Kind.ACTION_DONE,
            actor=actor,
            message=said(gettext_noop("Appel effectué : %s"), note),
            data={"action": str(action.code)},
        )
        claims_refresh_next_action(claim_ids=[action.claim_id])
    return bool(won)


@transaction.atomic
def pause_until(
    *, claim_id: int, until: date, actor: User, reason: str, today: date | None = None
) -> Claim:
    """Promise to pay: no automatic step until ``until`` (included)."""
    today = today or timezone.localdate()
    if until < today:
        raise ValidationError(_("La date de fin de pause est déjà passée."))
    claim = _claim(claim_id)
    if claim.stage == Stage.PAUSED:  # a new promise moves the end of the pause
        Claim.objects.filter(pk=claim_id).update(paused_until=until)
        event_record(
            claim=claim,
            kind=Event.Kind.STAGE,
            actor=actor,
            message=said(gettext_noop("Pause prolongée jusqu'au %s"), until),
            data={"before": str(claim.paused_until), "after": until.isoformat()},
        )
        claim.paused_until = until
        return claim
    return claim_transition(
        claim_id=claim_id,
        to=Stage.PAUSED,
        actor=actor,
        expected_stage=claim.stage,
        reason=reason
        or _("Promesse de paiement jusqu'au %s") % until.strftime("%d/%m/%Y"),
        today=today,
        paused_until=until,
    )


@transaction.atomic
def claim_resume(
    *, claim_id: int, actor: User, reason: str, today: date | None = None
) -> Claim:
    """Leave a pause, dispute or plan: back to the stage it interrupted."""
    claim = _claim(claim_id)
    return claim_transition(
        claim_id=claim_id,
        to=claim.resume_stage or Stage.AMICABLE,
        actor=actor,
        expected_stage=claim.stage,
        reason=reason,
        today=today,
    )


@transaction.atomic
def dispute_open(
    *,
    claim_id: int,
    reason: str,
    actor: User,
    source: str = "creditor",
    amount: Any = None,
    invoice_id: int | None = None,
    today: date | None = None,
) -> Dispute:
    """Record a dispute: automatic steps stop until it is resolved."""
    claim = _claim(claim_id)
    dispute = Dispute.objects.create(
        creditor_id=claim.creditor_id,
        claim=claim,
        reason=reason,
        source=source,
        amount=amount,
        invoice_id=invoice_id,
    )
    if claim.stage != Stage.DISPUTED:
        claim_transition(
            claim_id=claim_id,
            to=Stage.DISPUTED,
            actor=actor,
            expected_stage=claim.stage,
            reason=reason,
            today=today,
        )
    webhook_emit(
        claim=claim, event="dispute.opened", dispute=dispute.code, reason=reason
    )
    return dispute


@transaction.atomic
def dispute_resolve(
    *, dispute_id: int, status: str, answer: str, actor: User, today: date | None = None
) -> Dispute:
    """Close a dispute; with no other open dispute the claim resumes its stage."""
    if status == Dispute.Status.OPEN:
        raise ValidationError(_("Choisissez une issue pour la contestation."))
    dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
    claim = _claim(dispute.claim_id)
    won = Dispute.objects.filter(pk=dispute_id, status=Dispute.Status.OPEN).update(
        status=status, answer=answer, resolved_at=timezone.now()
    )
    if not won:
        raise ValidationError(_("Cette contestation est déjà résolue."))
    event_record(
        claim=claim,
        kind=Event.Kind.DISPUTE,
        actor=actor,
        message=said(
            gettext_noop("Contestation résolue : %s"), Dispute.Status(status).label
        ),
        data={"dispute": str(dispute.code), "status": status},
    )
    still_open = Dispute.objects.filter(
        claim=claim, status=Dispute.Status.OPEN
    ).exists()
    if claim.stage == Stage.DISPUTED and not still_open:
        claim_transition(
            claim_id=claim.pk,
            to=claim.resume_stage or Stage.AMICABLE,
            actor=actor,
            expected_stage=Stage.DISPUTED,
            reason=answer,
            today=today,
        )
    dispute.refresh_from_db()
    return dispute


@transaction.atomic
def escalate_now(
    *, claim_id: int, actor: User, reason: str, today: date | None = None
) -> Claim:
    """End the amicable path now: remaining steps skipped, route advice shown."""
    today = today or timezone.localdate()
    claim = _claim(claim_id)
    Action.objects.filter(claim_id=claim_id, state=Action.State.PLANNED).exclude(
        step__kind="escalate"
    ).update(
        state=Action.State.SKIPPED,
        reason=_("Escalade manuelle"),
        done_at=timezone.now(),
    )
    Action.objects.filter(
        claim_id=claim_id, state=Action.State.PLANNED, step__kind="escalate"
    ).update(state=Action.State.DONE, reason=reason[:500], done_at=timezone.now())
    Claim.objects.filter(pk=claim_id).update(
        amicable_exhausted_on=today, next_action_on=None
    )
    event_record(
        claim=claim,
        kind=Event.Kind.STAGE,
        actor=actor,
        message=said(
            gettext_noop("Phase amiable terminée : choisir la voie judiciaire. %s"),
            reason,
        ),
        data={"amicable_exhausted_on": today.isoformat(), "reason": reason},
    )
    claim.refresh_from_db()
    return claim


@transaction.atomic
def claim_close(
    *,
    claim_id: int,
    closed_reason: str,
    actor: User,
    note: str = "",
    today: date | None = None,
) -> Claim:
    """Close as paid / settled / written off / cancelled; planned steps are cancelled."""
    claim = _claim(claim_id)
    return claim_transition(
        claim_id=claim_id,
        to=Stage.CLOSED,
        actor=actor,
        expected_stage=claim.stage,
        reason=note or str(ClosedReason(closed_reason).label),
        today=today,
        closed_reason=closed_reason,
    )


# ---------------------------------------------------------------- judicial

JUDICIAL_FIELDS = frozenset(
    {
        "handler_name",
        "handler_email",
        "handed_off_on",
        "served_on",
        "contest_deadline",
        "title_obtained_on",
        "judgment_on",
        "enforcement_on",
        "costs_advanced",
        "costs_recovered",
        "amount_recovered",
        "outcome",
        "notes",
        "route",
    }
)


@transaction.atomic
def judicial_handoff(
    *,
    claim_id: int,
    route: str,
    actor: User,
    handler_name: str = "",
    handler_email: str = "",
    on: date | None = None,
) -> JudicialCase:
    """Hand the claim to a bailiff or lawyer: judicial stage, automatic steps stop."""
    on = on or timezone.localdate()
    claim = _claim(claim_id)
    case = JudicialCase(
        claim=claim,
        creditor_id=claim.creditor_id,
        route=route,
        handler_name=handler_name,
        handler_email=handler_email,
        handed_off_on=on,
    )
    case.full_clean(exclude=["claim", "creditor"])
    case.save()
    _cancel_planned(claim_ids=[claim_id], reason=_("Transmis au judiciaire"))
    claim_transition(
        claim_id=claim_id,
        to=Stage.JUDICIAL,
        actor=actor,
        expected_stage=claim.stage,
        reason=_("Transmis à %(h)s (%(r)s)") % {"h": handler_name or "—", "r": route},
        today=on,
    )
    webhook_emit(
        claim=claim,
        event="claim.handed_to_bailiff",
        route=route,
        handler=handler_name,
        on=on,
    )
    return case


@transaction.atomic
def judicial_update(*, claim_id: int, actor: User, **changes: Any) -> JudicialCase:
    """Record dates, costs or outcome of the judicial file, with before/after."""
    unknown = set(changes) - JUDICIAL_FIELDS
    if unknown:
        raise ValidationError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)))
    case = (
        JudicialCase.objects.select_for_update()
        .select_related("claim")
        .get(claim_id=claim_id)
    )
    before = {k: str(getattr(case, k)) for k in changes}
    for k, v in changes.items():
        setattr(case, k, v)
    case.full_clean(exclude=["claim", "creditor"])
    case.save(update_fields=list(changes))
    event_record(
        claim=case.claim,
        kind=Event.Kind.JUDICIAL,
        actor=actor,
        message=said(
            gettext_noop("Dossier judiciaire mis à jour : %s"),
            ", ".join(sorted(changes)),
        ),
        data={"before": before, "after": {k: str(v) for k, v in changes.items()}},
    )
    return case


def ledger_hooks_register() -> None:
    """Let the ledger's writes wake the engine (called by ``ClaimsConfig.ready``):
    a claim opened is planned, a payment may close it, a reversal re-plans it."""
    from claims.ledger import hooks

    hooks.register(
        claim_opened=claim_plan_on_open,
        payment_recorded=claim_after_payment,
        payment_reversed=claim_after_reversal,
    )
