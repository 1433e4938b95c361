"""The automatic run: which creditors are due, which actions, and their delivery.

Selection is set-based (one indexed query joining Action → Claim); delivery
re-reads the claims under a row lock right before anything is sent, so a
payment, dispute or pause recorded meanwhile stops the message.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.db.models import Q
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.execution import Delivery
from claims.execution import get_deliverer
from claims.law.calendar import POSTAL_CHANNELS
from claims.law.calendar import claimable_from as be_consumer_charges_from
from claims.law.calendar import is_working_day
from claims.law.calendar import message_deadline
from claims.law.calendar import next_working_day
from claims.models import Action
from claims.models import Claim
from claims.models import Creditor
from claims.models import Event
from claims.models import Invoice
from claims.models import InvoiceKind
from claims.models import Stage
from claims.services_collection import claim_replan
from claims.services_collection import claim_transition
from claims.services_collection import claims_plan
from claims.services_collection import claims_refresh_next_action
from claims.services_collection import claims_stage_set
from claims.stages import AUTOMATIC
from claims.stages import stage_after_step
from claims.stages import step_contradiction
from claims.statements import invoice_demanded
from claims.webhooks import webhook_emit_events

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# Reason of a running action whose message the deliverer reported sent, written
# in its own committed transaction before the engine's commit (see _Journal).
ACCEPTED = "accepted:"
STALE_RUNNING = timedelta(minutes=30)  # default of COLLECTION_STALE_RUNNING_SECONDS
P = Action.State


# ---------------------------------------------------------------- selection


def creditors_due(*, now: datetime) -> dict[int, date]:
    """Creditors whose local send hour has come, with their local date (DST-safe).

    One query over creditors; the wall-clock hour is computed with ZoneInfo
    from the aware ``now``, so a DST change never moves a day.
    """
    out: dict[int, date] = {}
    for pk, tz, hour in Creditor.objects.values_list("pk", "time_zone", "send_hour"):
        local = now.astimezone(ZoneInfo(tz))
        if local.hour >= hour:
            out[pk] = local.date()
    return out


def _by_date(creditor_days: dict[int, date]) -> dict[date, list[int]]:
    groups: dict[date, list[int]] = defaultdict(list)
    for pk, day in creditor_days.items():
        groups[day].append(pk)
    return groups


def actions_due(*, creditor_days: dict[int, date]) -> list[tuple[int, int, int, date]]:
    """(action id, creditor id, debtor id, local today) of due actions — ONE query.

    Planned, due on or before the creditor's local today, claim open, in an
    automatic stage and not paused; phone calls are to-dos for people.
    """
    if not creditor_days:
        return []
    groups = _by_date(creditor_days)
    where = Q()
    for day, ids in groups.items():
        where |= Q(creditor_id__in=ids, due_on__lte=day) & (
            Q(claim__paused_until__isnull=True) | Q(claim__paused_until__lt=day)
        )
    rows = (
        Action.objects.filter(where, state=P.PLANNED)
        .filter(claim__status=Claim.Status.OPEN, claim__stage__in=list(AUTOMATIC))
        .exclude(step__channel="call")
        .order_by("creditor_id", "debtor_id", "pk")
        .values_list("pk", "creditor_id", "debtor_id")
    )
    return [(pk, c, d, creditor_days[c]) for pk, c, d in rows]


def group_by_debtor(
    rows: list[tuple[int, int, int, date]],
) -> list[tuple[int, int, list[int], date]]:
    """One entry per debtor: (creditor id, debtor id, action ids, today)."""
    groups: dict[tuple[int, int, date], list[int]] = defaultdict(list)
    for pk, creditor_id, debtor_id, day in rows:
        groups[(creditor_id, debtor_id, day)].append(pk)
    return [(c, d, ids, day) for (c, d, day), ids in groups.items()]


def claims_unplanned(*, creditor_ids: list[int]) -> QuerySet:
    """Open claims with no scenario yet (opened by a bulk import, say): a subquery."""
    return Claim.objects.filter(
        creditor_id__in=creditor_ids,
        status=Claim.Status.OPEN,
        scenario__isnull=True,
        oldest_due_date__isnull=False,
    ).values("pk")


def claims_resume_paused(*, creditor_days: dict[int, date]) -> int:
    """Claims whose pause ended go back to the stage they left (events in bulk)."""
    where = Q()
    for day, ids in _by_date(creditor_days).items():
        where |= Q(creditor_id__in=ids, paused_until__lt=day)
    if not creditor_days:
        return 0
    rows = list(
        Claim.objects.filter(
            where, stage=Stage.PAUSED, status=Claim.Status.OPEN
        ).values_list("pk", "creditor_id", "resume_stage")
    )
    if not rows:
        return 0
    by_day: dict[date, list[tuple[int, int, str, str]]] = defaultdict(list)
    for pk, c, resume in rows:
        by_day[creditor_days[c]].append((pk, c, Stage.PAUSED, resume or Stage.AMICABLE))
    return sum(
        len(
            claims_stage_set(
                moves=moves,
                reason=_("Fin de la pause : reprise des relances."),
                today=day,
            )
        )
        for day, moves in by_day.items()
    )


def actions_requeue_stale(*, now: datetime) -> int:
    """Running actions whose worker vanished go back to planned (one UPDATE)."""
    stale = timedelta(
        seconds=getattr(
            settings,
            "COLLECTION_STALE_RUNNING_SECONDS",
            STALE_RUNNING.total_seconds(),
        )
    )
    stale_rows = list(
        Action.objects.filter(state=P.RUNNING, started_at__lt=now - stale).values_list(
            "pk", "reason"
        )
    )  # one query, usually empty
    if not stale_rows:
        return 0
    accepted = [pk for pk, reason in stale_rows if reason.startswith(ACCEPTED)]
    lost = [pk for pk, reason in stale_rows if not reason.startswith(ACCEPTED)]
    finished = actions_finish_accepted(action_ids=accepted)
    return finished + Action.objects.filter(pk__in=lost, state=P.RUNNING).exclude(
        reason__startswith=ACCEPTED
    ).update(state=P.PLANNED, reason=_("Relancée : tâche interrompue"))


def actions_finish_accepted(*, action_ids: list[int]) -> int:
    """Mark done, without sending again, actions whose message had left when the
    worker died (journaled as accepted, engine transaction lost). Rare: one
    small transaction per debtor."""
    if not action_ids:
        return 0
    rows = list(
        Action.objects.filter(pk__in=action_ids).values_list(
            "pk", "creditor_id", "debtor_id", "started_at"
        )
    )
    zones = dict(
        Creditor.objects.filter(pk__in={r[1] for r in rows}).values_list(
            "pk", "time_zone"
        )
    )
    groups: dict[tuple[int, int, date], list[int]] = defaultdict(list)
    for pk, c, d, started in rows:
        groups[(c, d, started.astimezone(ZoneInfo(zones[c])).date())].append(pk)
    n = 0
    for (c, _d, day), ids in groups.items():
        with transaction.atomic():
            claims = _lock_claims(creditor_id=c, action_ids=ids)
            actions = list(
                Action.objects.filter(
                    pk__in=ids, state=P.RUNNING, reason__startswith=ACCEPTED
                ).select_related("step")
            )
            _mark_done(actions, claims, day, None, DeliverOutcome())
            n += len(actions)
    log.warning("collection: %d sent action(s) finished after a lost worker", n)
    return n


@dataclass
class TickPlan:
    creditor_days: dict[int, date]
    planned_claims: int
    resumed: int
    requeued: int
    deliveries: list[tuple[int, int, list[int], date]]


def collection_plan(*, now: datetime, creditor_id: int | None = None) -> TickPlan:
    """What one tick does before enqueuing: constant number of queries."""
    days = creditors_due(now=now)
    if creditor_id is not None:
        days = {k: v for k, v in days.items() if k == creditor_id}
    planned = (
        claims_plan(claim_ids=claims_unplanned(creditor_ids=list(days))) if days else 0
    )
    resumed = claims_resume_paused(creditor_days=days)
    requeued = actions_requeue_stale(now=now)
    deliveries = group_by_debtor(actions_due(creditor_days=days))
    return TickPlan(days, planned, resumed, requeued, deliveries)


# ---------------------------------------------------------------- delivery


@dataclass
class DeliverOutcome:
    done: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    held: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    retry: bool = False


def _lock_claims(*, creditor_id: int, action_ids: list[int]) -> dict[int, Claim]:
    claim_ids = Action.objects.filter(
        pk__in=action_ids, creditor_id=creditor_id
    ).values("claim_id")
    claims = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("debtor")
        .filter(pk__in=claim_ids)
        .order_by("pk")
    )
    return {c.pk: c for c in claims}


def _blocker(claim: Claim, today: date) -> tuple[str, str] | None:
    """(new state, reason) when the claim must not be contacted today."""
    if claim.status != Claim.Status.OPEN:
        return P.CANCELLED, _("Créance clôturée")
    if claim.balance <= 0:
        return P.CANCELLED, _("Solde nul : rien à réclamer")
    if claim.debtor.automation_blocked:
        return P.SKIPPED, _("Débiteur insolvable, décédé ou adresse inconnue")
    if claim.stage == Stage.DISPUTED:
        return P.PLANNED, _("En attente : créance contestée")
    if claim.stage == Stage.PAUSED or (
        claim.paused_until and claim.paused_until >= today
    ):
        return P.PLANNED, _("En attente : pause (promesse de paiement)")
    if claim.stage not in AUTOMATIC:
        return P.PLANNED, _("En attente : étape « %s »") % Stage(claim.stage).label
    return None


def _hold_until(
    action: Action,
    claim: Claim,
    earlier: bool,
    today: date,
    force: bool,
    country: str = "BE",
) -> tuple[date, str] | None:
    """A later date when the law or the pace of the scenario asks to wait."""
    step = action.step
    if earlier:
        return today + timedelta(days=1), _("En attente de l'étape précédente")
    if claim.reply_by is not None and today <= claim.reply_by:
        # Deadlines first: the debtor has until the day printed in the last
        # message; nothing follows before the day after (even sent by hand).
        return claim.reply_by + timedelta(days=1), _(
            "Délai de paiement du dernier envoi en cours (jusqu'au %s)"
        ) % claim.reply_by.strftime("%d/%m/%Y")
    if step.channel in POSTAL_CHANNELS and not is_working_day(today, country):
        # No letter (registered or not) dated on a weekend or a public holiday
        # of the creditor's country (legal-brief §2.2 working days).
        return next_working_day(today, country), _(
            "Pas de courrier daté un week-end ou un jour férié"
        )
    if not force and claim.last_contact_on is not None:
        gap = max(step.min_days_since_contact, 1)  # never twice the same day
        if (today - claim.last_contact_on).days < gap:
            return claim.last_contact_on + timedelta(days=gap), _(
                "Délai depuis le dernier contact"
            )
    if (
        claim.creditor_id
        and claim.debtor.kind == "consumer"
        and claim.debtor.country == "BE"
        and step.kind not in ("pre_due", "first_reminder")
    ):
        # Book XIX (art. XIX.2 CDE, legal-brief §2.1–2.2): nothing but the free
        # first reminder until its 14-day waiting period has ended.
        if claim.first_reminder_sent_on is None:
            return today + timedelta(days=1), _(
                "Premier rappel gratuit pas encore envoyé"
            )
        end = be_consumer_charges_from(
            claim.first_reminder_sent_on, claim.first_reminder_channel
        )
        if today < end:
            return end, _("Délai d'attente de 14 jours (art. XIX.2 CDE)")
    return None


def actions_deliver(
    *,
    creditor_id: int,
    debtor_id: int,
    action_ids: list[int],
    today: date,
    force: bool = False,
    actor: AbstractBaseUser | None = None,
) -> DeliverOutcome:
    """Deliver one debtor's due actions in one message; safe to run twice.

    1. under the claims' row locks, keep what may still be sent and claim it
       (planned → running, conditional UPDATE) — the rest is skipped, cancelled
       or held with its reason;
    2. under the locks again, re-check and call the deliverer, then mark done
       (or failed with the error). ``outcome.retry`` asks the task to retry.
    """
    out = DeliverOutcome()
    with transaction.atomic():
        claimed = _claim_actions(creditor_id, debtor_id, action_ids, today, force, out)
    if not claimed:
        return out
    with transaction.atomic():
        _deliver_claimed(creditor_id, debtor_id, claimed, today, actor, out)
    return out


def _claim_actions(
    creditor_id: int,
    debtor_id: int,
    action_ids: list[int],
    today: date,
    force: bool,
    out: DeliverOutcome,
) -> list[int]:
    claims = _lock_claims(creditor_id=creditor_id, action_ids=action_ids)
    actions = list(
        Action.objects.filter(
            pk__in=action_ids,
            creditor_id=creditor_id,
            debtor_id=debtor_id,
            state=P.PLANNED,
        )
        .select_related("step")
        .order_by("claim_id", "step__position")
    )
    pending = set(
        Action.objects.filter(
            claim_id__in=list(claims), state__in=[P.PLANNED, P.RUNNING]
        )
        .exclude(step__channel="call")
        .values_list("claim_id", "step__position")
    )
    country = (
        Creditor.objects.filter(pk=creditor_id)
        .values_list("country", flat=True)
        .first()
        or "BE"
    )
    keep: list[Action] = []
    seen_claims: set[int] = set()
    changes: list[Action] = []
    for a in actions:
        claim = claims[a.claim_id]
        block = _blocker(claim, today)
        if block is not None:
            a.state, a.reason = block
            (out.held if a.state == P.PLANNED else out.skipped)[a.pk] = a.reason
            changes.append(a)
            continue
        why = step_contradiction(
            a.step.kind,
            claim.stage,
            formal_notice_sent=claim.formal_notice_sent_on is not None,
        )
        if why is not None:  # e.g. a first reminder at the formal-notice stage
            a.state, a.reason = P.SKIPPED, why
            out.skipped[a.pk] = why
            changes.append(a)
            continue
        earlier = a.claim_id in seen_claims or any(
            c == a.claim_id and pos < a.step.position for c, pos in pending
        )
        hold = _hold_until(a, claim, earlier, today, force, country)
        if hold is not None:
            a.due_on, a.reason = hold
            out.held[a.pk] = a.reason
            changes.append(a)
            continue
        seen_claims.add(a.claim_id)
        keep.append(a)
    _save_decisions(changes, claims)
    if not keep:
        return []
    ids = [a.pk for a in keep]
    Action.objects.filter(pk__in=ids, state=P.PLANNED).update(
        state=P.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        reason="",
    )
    return ids


def _save_decisions(changes: list[Action], claims: dict[int, Claim]) -> None:
    if not changes:
        return
    now = timezone.now()
    for a in changes:
        if a.state != P.PLANNED:
            a.done_at = now
    Action.objects.bulk_update(changes, ["state", "reason", "due_on", "done_at"])
    Event.objects.bulk_create(
        Event(
            creditor_id=a.creditor_id,
            claim_id=a.claim_id,
            kind=Event.Kind.ACTION_SKIPPED,
            actor_label="système",
            message=_("%(s)s : %(r)s") % {"s": a.step, "r": a.reason},
            data={"action": str(a.code), "state": a.state},
        )
        for a in changes
        if a.state != P.PLANNED
    )
    claims_refresh_next_action(claim_ids={a.claim_id for a in changes})


def _deliver_claimed(
    creditor_id: int,
    debtor_id: int,
    ids: list[int],
    today: date,
    actor: AbstractBaseUser | None,
    out: DeliverOutcome,
) -> None:
    claims = _lock_claims(creditor_id=creditor_id, action_ids=ids)
    actions = list(
        Action.objects.filter(pk__in=ids, state=P.RUNNING).select_related("step")
    )
    stop = []
    for a in actions:
        block = _blocker(claims[a.claim_id], today)
        if block is not None:  # a payment or dispute slipped in between
            a.state, a.reason = block
            (out.held if a.state == P.PLANNED else out.skipped)[a.pk] = a.reason
            stop.append(a)
    _save_decisions(stop, claims)
    actions = [a for a in actions if a not in stop]
    escalations = [a for a in actions if a.step.kind == "escalate"]
    messages = [a for a in actions if a.step.kind != "escalate"]
    if messages:
        journal = _Journal()
        sent_ids = [a.pk for a in messages]
        try:
            result = get_deliverer()(
                Delivery(
                    creditor_id,
                    debtor_id,
                    tuple(sent_ids),
                    today,
                    on_accepted=lambda mid: journal.write(sent_ids, mid),
                )
            )
        except BaseException:
            journal.write(None)
            raise
        journal.write(sent_ids if result.delivered else None, result.message_id)
        if not result.delivered:
            _mark_failed(messages, claims, result.error, result.permanent, out)
            messages = []
    _mark_done(messages + escalations, claims, today, actor, out)


class _Journal:
    """Commits "message accepted" outside the engine's open transaction.

    The engine's transaction (claim locks, done marks) commits after the
    deliverer returns; a worker killed in between would roll it back and the
    stale re-queue would send again. So, right after the deliverer reports the
    message sent, this writes ``reason = "accepted:<message id>"`` on the
    running actions through a *second* connection (a thread: Django gives each
    thread its own), opened before delivery so that only one autocommitted
    UPDATE stands between the SMTP server's "250" and the durable record.
    ``actions_requeue_stale`` then finishes such actions instead of re-sending.
    PostgreSQL only (SQLite would wait on its own writer lock).
    """

    def __init__(self) -> None:
        import queue
        import threading

        from django.db import connection

        # Only useful when the "running" marks are committed, i.e. the engine's
        # own transaction is the only one open: inside an outer transaction
        # (a service calling the engine, a test) another connection can't see
        # those rows and could wait on the outer transaction's locks.
        self.enabled = (
            connection.vendor == "postgresql" and len(connection.atomic_blocks) <= 1
        )
        self._written = False
        if not self.enabled:
            return
        self._q: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from django.db import connection

        try:
            connection.ensure_connection()
            with connection.cursor() as cursor:  # set before delivery: never wait long
                cursor.execute("SET lock_timeout = '2s'")
            job = self._q.get()
            if job is not None:
                ids, mid = job
                # One autocommitted UPDATE: the shortest path from the SMTP
                # server's "250" to a durable record.
                Action.objects.filter(pk__in=ids, state=P.RUNNING).update(
                    reason=(ACCEPTED + (mid or "-"))[:500]
                )
        except Exception:  # the journal narrows a window; never fails a run
            log.exception("collection: accepted-journal write failed")
        finally:
            connection.close()

    def write(self, ids: list[int] | None, message_id: str = "") -> None:
        """Once: the first call wins (``on_accepted`` or the deliverer's return)."""
        if not self.enabled or self._written:
            return
        self._written = True
        self._q.put(None if ids is None else (ids, message_id))
        self._thread.join(5)


def _mark_failed(
    actions: list[Action],
    claims: dict[int, Claim],
    error: str,
    permanent: bool,
    out: DeliverOutcome,
) -> None:
    final = permanent or max(a.attempts for a in actions) >= MAX_ATTEMPTS
    state = P.FAILED if final else P.PLANNED
    Action.objects.filter(pk__in=[a.pk for a in actions]).update(
        state=state, reason=error[:500]
    )
    Event.objects.bulk_create(
        Event(
            creditor_id=a.creditor_id,
            claim_id=a.claim_id,
            kind=Event.Kind.ACTION_FAILED,
            actor_label="système",
            message=_("Échec de l'envoi (%(s)s) : %(e)s") % {"s": a.step, "e": error},
            data={"action": str(a.code), "final": final, "attempt": a.attempts},
        )
        for a in actions
    )
    out.failed.update({a.pk: error for a in actions})
    out.retry = not final


def _mark_done(
    actions: list[Action],
    claims: dict[int, Claim],
    today: date,
    actor: AbstractBaseUser | None,
    out: DeliverOutcome,
) -> None:
    if not actions:
        return
    now = timezone.now()
    Action.objects.filter(pk__in=[a.pk for a in actions]).update(
        state=P.DONE, done_at=now
    )
    events = []
    for a in actions:
        events += _apply_done(a, claims[a.claim_id], today, actor)
    Event.objects.bulk_create(events)
    webhook_emit_events(events, {Event.Kind.ACTION_DONE: "message.sent"})
    _shift_following(actions, today)
    claims_refresh_next_action(claim_ids={a.claim_id for a in actions})
    out.done += [a.pk for a in actions]


def _apply_done(a: Action, claim: Claim, today: date, actor: Any) -> list[Event]:
    """Claim fields and events after a step is done (few claims: one debtor)."""
    label = actor.get_username() if actor is not None else "système"
    ev = [
        Event(
            creditor_id=a.creditor_id,
            claim_id=a.claim_id,
            kind=Event.Kind.ACTION_DONE,
            actor=actor,
            actor_label=label,
            message=_("%(s)s envoyé (%(c)s)")
            % {"s": a.step.get_kind_display(), "c": a.step.get_channel_display()},
            data={
                "action": str(a.code),
                "template": a.step.template,
                "channel": a.step.channel,
            },
        )
    ]
    fields: dict[str, Any] = {}
    if a.step.kind == "escalate":
        fields["amicable_exhausted_on"] = today
        ev[0].message = _("Phase amiable épuisée : choisir la voie judiciaire")
    else:
        fields["last_contact_on"] = today
        _record_invoices(a, claim, today)
        deadline = step_deadline(a.step, claim, today)
        fields["reply_by"] = deadline
        Action.objects.filter(pk=a.pk).update(deadline_on=deadline)
        ev[0].data["deadline"] = deadline.isoformat()
    if a.step.kind == "first_reminder" and claim.first_reminder_sent_on is None:
        fields |= {
            "first_reminder_sent_on": today,
            "first_reminder_channel": a.step.channel,
        }
    if a.step.kind == "formal_notice":
        fields["formal_notice_sent_on"] = today
    # Conditional on the stage read under lock (nobody else can change it now).
    Claim.objects.filter(pk=claim.pk, stage=claim.stage).update(**fields)
    for k, v in fields.items():
        setattr(claim, k, v)
    # The stage follows what was sent, through the one state machine.
    after = stage_after_step(claim.stage, a.step.kind)
    if after is not None:
        claim_transition(
            claim_id=claim.pk,
            to=after,
            actor=actor,
            reason=_("%s envoyée") % a.step.get_kind_display(),
            expected_stage=claim.stage,
            today=today,
            replan="skip",
        )
        claim.stage = after
    elif a.step.kind == "formal_notice":
        claim_replan(claim=claim, today=today, actor=actor, mode="skip")
    return ev


def _record_invoices(a: Action, claim: Claim, today: date) -> None:
    """Which invoices the message demanded: only those already due (invoice by
    invoice). The first message demanding an invoice is its own first reminder;
    a formal notice dates the notice of each invoice it demands."""
    if a.step.kind == "pre_due":
        return
    covered = [i for i in claim.invoices.all() if invoice_demanded(i, today)]
    a.invoices.add(*covered)
    bills = [i.pk for i in covered if i.kind != InvoiceKind.CREDIT_NOTE]
    Invoice.objects.filter(pk__in=bills, first_reminder_sent_on__isnull=True).update(
        first_reminder_sent_on=today, first_reminder_channel=a.step.channel
    )
    if a.step.kind == "formal_notice":
        Invoice.objects.filter(pk__in=bills, formal_notice_sent_on__isnull=True).update(
            formal_notice_sent_on=today
        )


def step_deadline(step: Any, claim: Claim, sent_on: date) -> date:
    """The last day to pay printed in ``step``'s message to ``claim`` sent on
    ``sent_on`` — the letters print the same (claims.law.calendar)."""
    return message_deadline(
        sent_on,
        step.deadline_days,
        claim.creditor.country,
        kind=step.kind,
        debtor_kind=claim.debtor.kind,
        channel=step.channel,
    )


def _shift_following(done: list[Action], today: date) -> None:
    """A step sent late pushes the later steps so the scenario keeps its pace."""
    from claims.scenarios import plan_dates
    from claims.services_collection import step_specs

    late = {a.claim_id: a for a in done if a.due_on < today}
    if not late:
        return
    following = list(
        Action.objects.filter(claim_id__in=list(late), state=P.PLANNED).select_related(
            "step"
        )
    )
    changed = []
    for f in following:
        a = late[f.claim_id]
        if f.step.position <= a.step.position:
            continue
        gap = (
            plan_dates(step_specs([f.step]), date(2000, 1, 1))[0]
            - plan_dates(step_specs([a.step]), date(2000, 1, 1))[0]
        )
        if f.step.anchor == "previous_step" or gap.days < 0:
            gap = timedelta(days=f.step.offset_days)
        new = today + gap
        if new > f.due_on:
            f.due_on = new
            changed.append(f)
    Action.objects.bulk_update(changed, ["due_on"])


def collection_run_sync(
    *, now: datetime, creditor_id: int | None = None, dry_run: bool = False
) -> tuple[TickPlan, list[DeliverOutcome]]:
    """The tick run in-process (management command ``collect``, tests)."""
    if dry_run:
        with transaction.atomic():
            plan = collection_plan(now=now, creditor_id=creditor_id)
            transaction.set_rollback(True)
        return plan, []
    plan = collection_plan(now=now, creditor_id=creditor_id)
    outcomes = [
        actions_deliver(creditor_id=c, debtor_id=d, action_ids=ids, today=day)
        for c, d, ids, day in plan.deliveries
    ]
    return plan, outcomes


@transaction.atomic
def collection_enqueue(*, now: datetime | None = None) -> int:
    """The beat tick: plan and select, then one task per debtor after commit."""
    from claims.tasks import deliver_debtor_actions_task

    plan = collection_plan(now=now or timezone.now())
    for c, d, ids, day in plan.deliveries:
        deliver_debtor_actions_task.delay_on_commit(c, d, ids, day.isoformat())
    log.info("collection tick: %d deliveries", len(plan.deliveries))
    return len(plan.deliveries)
