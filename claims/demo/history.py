"""The demo book's past, made by the collection engine itself.

``seed_demo`` writes creditors, debtors and invoices, then this module plays
the days from the oldest due date to yesterday: on each day where something is
due (a planned action, a payment, a dispute, a pause) it records what the owner
or the debtor did through the real services, at that date, then runs the tick
exactly as the beat would on that day (:func:`collection_run_sync`). Every
stage therefore has the history that leads there — actions done, events,
messages and documents — and what is left planned is due today or later.

Days with nothing due are skipped: the engine only acts on days with due
actions. Older days are delivered by :func:`record_only` (the engine marks the
steps done and writes its events; no message is built), the last
``RECENT_DAYS`` by the deliverer the letters app registered (real e-mails to
the configured mail backend, archived PDFs): the demo shows real messages
where the owner looks first, and seeds in seconds rather than minutes.

The engine stamps what it writes with the wall clock; each simulated day's
new rows are re-stamped with that day's send time (they were born in this
transaction: nothing that was ever shown is rewritten).

Bulk books (``seed_demo --claims 100000``, the benchmarks) use
:func:`bulk_history` instead: the same scenario plan, set-based, with each
past step marked done and the claim's stage and milestones derived from the
done steps — consistent, not played.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import connection
from django.db.models import Max
from django.db.models import Min
from django.utils.translation import gettext_noop

from claims.engine import execution
from claims.engine.execution import Delivery
from claims.engine.execution import DeliveryResult
from claims.ledger.timeline import choice
from claims.ledger.timeline import said
from claims.models import Action
from claims.models import Claim
from claims.models import Event
from claims.models import Stage

RECENT_DAYS = 2  # messages of the last days are real e-mails and PDFs
ENGINE_DAYS = 14  # days the engine plays; older steps are recorded set-based
SIM_ZONE = ZoneInfo("Europe/Brussels")
SIM_HOUR = 12  # after every creditor's send hour, the same date in BE and FR


@dataclass(frozen=True)
class Happening:
    """Something the owner or the debtor does on ``day`` to one claim."""

    day: date
    claim_code: Any
    kind: str  # "payment" | "dispute" | "pause" | "plan"
    amount: Decimal | None = None
    until: date | None = None
    method: str = "transfer"


def record_only(delivery: Delivery) -> DeliveryResult:
    """A deliverer for the distant past: the engine records the step done
    (its ACTION_DONE event, the claim's milestones), nothing is rendered."""
    return DeliveryResult(delivered=True, channel="history")


# ---------------------------------------------------------------- stamping


_STAMPED = (
    # (app label, model, timestamp columns set to the simulated moment)
    ("claims", "Event", "at"),
    ("claims", "Payment", "created_at"),
    ("claims", "Dispute", "opened_at"),
    ("claims", "PaymentPlan", "created_at", "decided_at"),
    ("letters", "OutboundMessage", "created_at", "sent_at"),
    ("letters", "Document", "created_at", "sent_at"),
)


def _models() -> list[tuple[Any, tuple[str, ...]]]:
    out = []
    for label, name, *columns in _STAMPED:
        try:
            model = apps.get_model(label, name)
        except LookupError:  # the letters app is optional for the engine
            continue
        present = {f.attname for f in model._meta.concrete_fields}
        cols = tuple(c for c in columns if c in present)
        if cols:
            out.append((model, cols))
    return out


class _Stamper:
    """Re-stamp the rows a simulated day created with that day's moment.

    Raw SQL on purpose: events and payments are append-only for the
    application; these rows were created seconds ago in this very transaction
    and are given the date the story says they happened.
    """

    def __init__(self) -> None:
        self.models = _models()
        self.marks: dict[Any, int] = {}
        self.mark()

    def mark(self) -> None:
        for model, _cols in self.models:
            last = model._default_manager.aggregate(m=Max("pk"))["m"]
            self.marks[model] = last or 0

    def stamp(self, moment: datetime, wall_start: datetime) -> None:
        with connection.cursor() as cursor:
            for model, cols in self.models:
                table = connection.ops.quote_name(model._meta.db_table)
                sets = ", ".join(
                    f"{connection.ops.quote_name(c)} = CASE WHEN "
                    f"{connection.ops.quote_name(c)} IS NULL THEN NULL ELSE %s END"
                    for c in cols
                )
                cursor.execute(
                    f"UPDATE {table} SET {sets} WHERE id > %s",  # noqa: S608
                    [*([moment] * len(cols)), self.marks[model]],
                )
            cursor.execute(
                "UPDATE claims_action SET done_at = CASE WHEN done_at IS NULL "
                "THEN NULL ELSE %s END, started_at = CASE WHEN started_at IS NULL "
                "THEN NULL ELSE %s END WHERE done_at >= %s OR started_at >= %s",
                [moment, moment, wall_start, wall_start],
            )
        self.mark()


# ---------------------------------------------------------------- the engine path


def _apply(h: Happening, claim: Claim, actor: Any) -> None:
    from claims.engine import collection as engine
    from claims.ledger import services

    if claim.status != Claim.Status.OPEN:
        return
    if h.kind == "payment":
        amount = min(h.amount or claim.balance, claim.balance)
        if amount > 0:
            services.payment_record(
                claim=claim,
                amount=amount,
                on=h.day,
                method=h.method,
                reference=claim.structured_reference,
                actor=actor,
            )
    elif h.kind == "dispute" and claim.stage in ("amicable", "formal_notice"):
        engine.dispute_open(
            claim_id=claim.pk,
            reason="Marchandise non conforme à la commande (démo)",
            actor=actor,
            source="debtor",
            today=h.day,
        )
    elif h.kind == "plan" and claim.stage in ("amicable", "formal_notice"):
        from claims.engine.plans import plan_accept
        from claims.engine.plans import plan_propose
        from claims.law.plans import InstalmentSpec

        share = (claim.balance / 3).quantize(Decimal("0.01"))
        specs = [
            InstalmentSpec(h.day + timedelta(days=7 + 30 * i), share) for i in range(2)
        ] + [InstalmentSpec(h.day + timedelta(days=67), claim.balance - 2 * share)]
        plan = plan_propose(claim=claim, instalments=specs, actor=actor)
        plan_accept(plan=plan, today=h.day, signed_by_debtor=True, actor=actor)
    elif h.kind == "pause" and claim.stage in ("amicable", "formal_notice"):
        engine.pause_until(
            claim_id=claim.pk,
            until=h.until or h.day,
            actor=actor,
            reason="",
            today=h.day,
        )


def engine_history(
    *,
    creditor_ids: list[int],
    happenings: list[Happening],
    today: date,
    actor: Any = None,
    recent_days: int = RECENT_DAYS,
    on_day: Callable[[date], None] | None = None,
) -> int:
    """Play every day with something due, from the oldest to yesterday.

    Returns the number of simulated days. ``today`` itself is left to the
    first real tick.
    """
    from django.utils import timezone

    from claims.engine.plans import plans_check
    from claims.engine.run import collection_run_sync

    by_day: dict[date, list[Happening]] = defaultdict(list)
    for h in happenings:
        if h.day < today:
            by_day[h.day].append(h)
    claims = Claim.objects.filter(creditor_id__in=creditor_ids)
    real = execution.get_deliverer()
    # Swapped directly: register_deliverer() keeps an operator's pinned choice.
    saved = execution._deliverer
    stamper = _Stamper()
    recent_from = today - timedelta(days=recent_days)
    played = 0
    current: date | None = None
    try:
        while True:
            due = Action.objects.filter(
                creditor_id__in=creditor_ids,
                state=Action.State.PLANNED,
                claim__status=Claim.Status.OPEN,
                due_on__lt=today,
            )
            if current is not None:
                due = due.filter(due_on__gt=current)
            next_action = due.aggregate(d=Min("due_on"))["d"]
            next_event = min(
                (d for d in by_day if current is None or d > current), default=None
            )
            resumes = claims.filter(
                stage="paused", paused_until__lt=today - timedelta(days=1)
            )
            if current is not None:
                resumes = resumes.filter(paused_until__gte=current)
            next_resume = resumes.aggregate(d=Min("paused_until"))["d"]
            if next_resume is not None:
                next_resume += timedelta(days=1)
            candidates = [d for d in (next_action, next_event, next_resume) if d]
            if not candidates:
                break
            day = min(candidates)
            if day >= today:
                break
            wall_start = timezone.now()
            if day in by_day:
                targets = {
                    c.code: c
                    for c in claims.filter(
                        code__in=[h.claim_code for h in by_day[day]]
                    ).select_related("debtor", "creditor")
                }
                for h in by_day[day]:
                    _apply(h, targets[h.claim_code], actor)
            plans_check(today=day)  # the nightly check of the payment plans
            execution._deliverer = real if day >= recent_from else record_only
            collection_run_sync(now=datetime.combine(day, time(SIM_HOUR), SIM_ZONE))
            stamper.stamp(
                datetime.combine(day, time(9, 30), SIM_ZONE), wall_start - _EPSILON
            )
            if on_day is not None:
                on_day(day)
            played += 1
            current = day
    finally:
        execution._deliverer = saved
    return played


_EPSILON = timedelta(microseconds=1)


# ---------------------------------------------------------------- the bulk path


_BULK_DONE_SQL = """
UPDATE claims_action a
   SET state = 'done', done_at = (a.due_on + time '09:30') AT TIME ZONE 'Europe/Brussels'
  FROM claims_claim c, claims_scenariostep s
 WHERE a.claim_id = c.id AND s.id = a.step_id
   AND c.creditor_id = ANY(%(creditors)s)
   AND a.state = 'planned' AND s.channel <> 'call'
   AND a.due_on < CASE WHEN c.stage IN ('disputed', 'paused')
                       THEN LEAST(%(today)s::date, c.stage_entered_on)
                       ELSE %(today)s::date END
"""

_BULK_EVENTS_SQL = """
INSERT INTO claims_event (creditor_id, claim_id, at, kind, actor_id, actor_label,
                          message, data)
SELECT a.creditor_id, a.claim_id, a.done_at, 'action_done', NULL, 'système',
       s.kind || ' (' || s.channel || ')',
       jsonb_build_object('action', a.code::text, 'template', s.template,
                          'channel', s.channel)
  FROM claims_action a JOIN claims_scenariostep s ON s.id = a.step_id
 WHERE a.creditor_id = ANY(%(creditors)s) AND a.state = 'done'
"""

_BULK_MILESTONES_SQL = """
WITH m AS (
    SELECT a.claim_id,
           MIN(a.due_on) FILTER (WHERE s.kind = 'first_reminder') AS first_on,
           MIN(s.channel) FILTER (WHERE s.kind = 'first_reminder') AS first_channel,
           MIN(a.due_on) FILTER (WHERE s.kind = 'formal_notice') AS notice_on,
           MAX(a.due_on) FILTER (WHERE s.kind <> 'escalate') AS contact_on,
           MIN(a.due_on) FILTER (WHERE s.kind = 'escalate') AS exhausted_on
      FROM claims_action a JOIN claims_scenariostep s ON s.id = a.step_id
     WHERE a.creditor_id = ANY(%(creditors)s) AND a.state = 'done'
     GROUP BY a.claim_id
)
UPDATE claims_claim c
   SET first_reminder_sent_on = m.first_on,
       first_reminder_channel = COALESCE(m.first_channel, ''),
       formal_notice_sent_on = m.notice_on,
       last_contact_on = m.contact_on,
       amicable_exhausted_on = m.exhausted_on,
       stage = CASE WHEN c.stage = 'amicable' AND m.notice_on IS NOT NULL
                    THEN 'formal_notice' ELSE c.stage END,
       resume_stage = CASE WHEN c.stage IN ('disputed', 'paused')
                    THEN CASE WHEN m.notice_on IS NOT NULL THEN 'formal_notice'
                              ELSE 'amicable' END
                    ELSE c.resume_stage END,
       stage_entered_on = CASE WHEN c.stage = 'amicable' AND m.notice_on IS NOT NULL
                    THEN m.notice_on ELSE c.stage_entered_on END
  FROM m
 WHERE c.id = m.claim_id
"""

_BULK_STAGE_EVENTS_SQL = """
INSERT INTO claims_event (creditor_id, claim_id, at, kind, actor_id, actor_label,
                          message, data)
SELECT c.creditor_id, c.id,
       (c.formal_notice_sent_on + time '09:30') AT TIME ZONE 'Europe/Brussels',
       'stage', NULL, 'système', 'Étape : Relances amiables → Mise en demeure',
       '{"before": "amicable", "after": "formal_notice"}'::jsonb
  FROM claims_claim c
 WHERE c.creditor_id = ANY(%(creditors)s) AND c.formal_notice_sent_on IS NOT NULL
"""


def history_until(*, creditor_ids: list[int], until: date) -> None:
    """Portable twin of :func:`bulk_history` for small books (any database).

    Plans every open claim, marks done the steps due before ``until`` (before
    the dispute or pause of a held claim), writes their events, and derives
    each claim's milestones and stage from them.
    """
    from claims.engine.collection import claims_plan
    from claims.engine.collection import claims_refresh_next_action
    from claims.models import ScenarioStep

    open_claims = Claim.objects.filter(
        creditor_id__in=creditor_ids, status=Claim.Status.OPEN
    )
    claims_plan(claim_ids=open_claims.values("pk"))
    claims = {c.pk: c for c in open_claims}
    steps = {
        s.pk: s
        for s in ScenarioStep.objects.filter(
            scenario_id__in={c.scenario_id for c in claims.values()}
        )
    }
    done: list[Action] = []
    for a in Action.objects.filter(
        claim_id__in=list(claims), state=Action.State.PLANNED, due_on__lt=until
    ).order_by("due_on", "pk"):
        claim, step = claims[a.claim_id], steps[a.step_id]
        held = claim.stage in ("disputed", "paused")
        if step.channel == "call" or (held and a.due_on >= claim.stage_entered_on):
            continue
        a.state = Action.State.DONE
        a.done_at = datetime.combine(a.due_on, time(9, 30), SIM_ZONE)
        done.append(a)
    by_date: dict[date, list[int]] = defaultdict(list)
    for a in done:  # one UPDATE per day of the past, not a CASE per row
        by_date[a.due_on].append(a.pk)
    for day, pks in by_date.items():
        Action.objects.filter(pk__in=pks).update(
            state=Action.State.DONE,
            done_at=datetime.combine(day, time(9, 30), SIM_ZONE),
        )
    events: list[Event] = []
    touched: dict[int, Claim] = {}
    for a in done:
        claim, step = claims[a.claim_id], steps[a.step_id]
        events.append(
            Event(
                creditor_id=a.creditor_id,
                claim_id=a.claim_id,
                at=a.done_at,
                kind=Event.Kind.ACTION_DONE,
                actor_label="système",
                message=said(
                    gettext_noop("%(s)s envoyé (%(c)s)"),
                    s=choice(step, "kind"),
                    c=choice(step, "channel"),
                ),
                data={
                    "action": str(a.code),
                    "template": step.template,
                    "channel": step.channel,
                },
            )
        )
        touched[claim.pk] = claim
        if step.kind == "escalate":
            claim.amicable_exhausted_on = a.due_on
            continue
        claim.last_contact_on = a.due_on
        if step.kind == "first_reminder" and claim.first_reminder_sent_on is None:
            claim.first_reminder_sent_on = a.due_on
            claim.first_reminder_channel = step.channel
        if step.kind == "formal_notice" and claim.formal_notice_sent_on is None:
            claim.formal_notice_sent_on = a.due_on
            if claim.stage == "amicable":
                claim.stage, claim.stage_entered_on = "formal_notice", a.due_on
            elif claim.stage in ("disputed", "paused"):
                claim.resume_stage = "formal_notice"
            events.append(
                Event(
                    creditor_id=a.creditor_id,
                    claim_id=a.claim_id,
                    at=a.done_at,
                    kind=Event.Kind.STAGE,
                    actor_label="système",
                    message=said(
                        gettext_noop("Étape : %(b)s → %(a)s. %(r)s"),
                        b=Stage.AMICABLE.label,
                        a=Stage.FORMAL_NOTICE.label,
                        r=said(gettext_noop("%(s)s envoyée"), s=choice(step, "kind")),
                    ),
                    data={"before": "amicable", "after": "formal_notice"},
                )
            )
    Event.objects.bulk_create(events, batch_size=2000)
    Claim.objects.bulk_update(
        list(touched.values()),
        [
            "last_contact_on",
            "first_reminder_sent_on",
            "first_reminder_channel",
            "formal_notice_sent_on",
            "amicable_exhausted_on",
            "stage",
            "stage_entered_on",
            "resume_stage",
        ],
        batch_size=100,  # CASE WHEN per row: small batches stay linear
    )
    claims_refresh_next_action(claim_ids=list(claims))


def bulk_history(*, creditor_ids: list[int], today: date) -> None:
    """Set-based history for large books (PostgreSQL; elsewhere: played).

    The scenario is planned for every open claim (one INSERT … SELECT); each
    step due before today — or before the claim was disputed or paused — is
    marked done at its date with its event; the claim's milestones and stage
    follow from the done steps (a formal notice done → formal-notice stage).
    Nothing planned is left in the past for a claim the engine may contact.
    """
    from claims.engine.collection import claims_plan
    from claims.engine.collection import claims_refresh_next_action

    open_ids = Claim.objects.filter(
        creditor_id__in=creditor_ids, status=Claim.Status.OPEN
    ).values("pk")
    claims_plan(claim_ids=open_ids)
    params = {"creditors": creditor_ids, "today": today}
    with connection.cursor() as cursor:
        cursor.execute(_BULK_DONE_SQL, params)
        cursor.execute(_BULK_EVENTS_SQL, params)
        cursor.execute(_BULK_MILESTONES_SQL, params)
        cursor.execute(_BULK_STAGE_EVENTS_SQL, params)
    claims_refresh_next_action(
        claim_ids=Claim.objects.filter(
            creditor_id__in=creditor_ids, status=Claim.Status.OPEN
        ).values_list("pk", flat=True)
    )


__all__ = [
    "Happening",
    "bulk_history",
    "engine_history",
    "record_only",
]


_INVOICE_MILESTONES_SQL = """
UPDATE claims_invoice SET
  first_reminder_sent_on = (
    SELECT MIN(a.due_on) FROM claims_action a
      JOIN claims_scenariostep s ON s.id = a.step_id
     WHERE a.claim_id = claims_invoice.claim_id AND a.state = 'done'
       AND s.kind IN ('first_reminder', 'reminder', 'formal_notice')
       AND a.due_on > claims_invoice.due_date),
  first_reminder_channel = COALESCE((
    SELECT s.channel FROM claims_action a
      JOIN claims_scenariostep s ON s.id = a.step_id
     WHERE a.claim_id = claims_invoice.claim_id AND a.state = 'done'
       AND s.kind IN ('first_reminder', 'reminder', 'formal_notice')
       AND a.due_on > claims_invoice.due_date
     ORDER BY a.due_on, a.id LIMIT 1), ''),
  formal_notice_sent_on = (
    SELECT MIN(a.due_on) FROM claims_action a
      JOIN claims_scenariostep s ON s.id = a.step_id
     WHERE a.claim_id = claims_invoice.claim_id AND a.state = 'done'
       AND s.kind = 'formal_notice'
       AND a.due_on > claims_invoice.due_date)
WHERE creditor_id IN ({ids}) AND kind = 'invoice'
  AND first_reminder_sent_on IS NULL
"""


def invoice_milestones(*, creditor_ids: list[int]) -> None:
    """Each invoice's own first reminder and formal notice, from the steps
    recorded as done: the first message sent after an invoice fell due is its
    first reminder (invoice by invoice, as the engine records them). One UPDATE."""
    if not creditor_ids:
        return
    ids = ", ".join(str(int(pk)) for pk in creditor_ids)
    with connection.cursor() as cursor:
        cursor.execute(_INVOICE_MILESTONES_SQL.format(ids=ids))
