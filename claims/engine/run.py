"""The automatic run: which creditors are due, which actions, and their delivery.

Selection is set-based (one indexed query joining Action → Claim); delivery
re-reads the claims under a row lock right before anything is sent, so a
payment, dispute or pause recorded meanwhile stops the message.
"""

from __future__ import annotations

import logging
import uuid
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
from django.db import InterfaceError
from django.db import OperationalError
from django.db import connection
from django.db import transaction
from django.db.models import Case
from django.db.models import F
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Value
from django.db.models import When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from claims.engine.collection import claim_replan
from claims.engine.collection import claim_transition
from claims.engine.collection import claims_plan
from claims.engine.collection import claims_refresh_next_action
from claims.engine.collection import claims_stage_set
from claims.engine.execution import Delivery
from claims.engine.execution import DeliveryResult
from claims.engine.execution import Notice
from claims.engine.execution import TwoPhaseDeliverer
from claims.engine.execution import get_deliverer
from claims.engine.execution import two_phase
from claims.engine.plans import notices_send
from claims.engine.plans import plan_notices_due
from claims.engine.plans import plans_check
from claims.engine.send_journal import DONE
from claims.engine.send_journal import PLANNED
from claims.engine.send_journal import journal_batch
from claims.engine.send_journal import journal_fates
from claims.engine.send_journal import journal_forget
from claims.engine.send_journal import journal_open
from claims.engine.send_journal import journaled
from claims.engine.stages import AUTOMATIC
from claims.engine.stages import stage_after_step
from claims.engine.stages import step_contradiction
from claims.law.calendar import claimable_from as be_consumer_charges_from
from claims.law.calendar import is_electronic
from claims.law.calendar import is_working_day
from claims.law.calendar import message_deadline
from claims.law.calendar import next_working_day
from claims.ledger.services import claims_refresh_figures
from claims.ledger.statements import invoice_demanded
from claims.ledger.timeline import choice
from claims.ledger.timeline import said
from claims.ledger.webhooks import webhook_emit_events
from claims.models import Action
from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Event
from claims.models import Invoice
from claims.models import InvoiceKind
from claims.models import ScenarioStep
from claims.models import Stage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
#: Steps that send a message to the debtor (escalation and calls do not).
SENT_KINDS = frozenset({"pre_due", "first_reminder", "reminder", "formal_notice"})
# Connection trouble is worth a task retry (Celery); any other error is the
# claim's own and is recorded on it (a run never aborts).
RETRYABLE = (OperationalError, InterfaceError)


UNCERTAIN = gettext_noop(
    "Envoi incertain : le serveur de messagerie a peut-être reçu ce message. "
    "Vérifiez puis confirmez ou renvoyez."
)


def uncertain_text() -> str:
    return _(UNCERTAIN)


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
    """Actions whose worker vanished (docs/reliability.md), in one short transaction.

    ``running`` (claimed, no intent to send committed): nothing left, back to
    planned. ``sending`` (the intent was committed, the message may have left):
    ``uncertain``, with an event on the claim — never sent again by itself;
    the owner confirms or resends. Rows a live worker holds (it locks its
    actions while preparing and sending) are skipped, not waited for.
    """
    stale = timedelta(
        seconds=getattr(
            settings,
            "COLLECTION_STALE_RUNNING_SECONDS",
            STALE_RUNNING.total_seconds(),
        )
    )
    stale_rows = Action.objects.filter(
        state__in=[P.RUNNING, P.SENDING], started_at__lt=now - stale
    )
    if not stale_rows.exists():  # one query, usually the only one
        return 0
    with transaction.atomic():
        rows = list(
            stale_rows.select_for_update(skip_locked=True, of=("self",))
            .select_related("step")
            .order_by("pk")
        )
        if not rows:
            return 0
        sending = [a for a in rows if a.state == P.SENDING]
        fates = journal_fates([a.message_id for a in sending]) if sending else {}
        sent = [a for a in sending if fates.get(a.message_id) == DONE]
        never = [a for a in sending if fates.get(a.message_id) == PLANNED]
        uncertain = [a for a in sending if a not in sent and a not in never]
        lost = [a.pk for a in rows if a.state == P.RUNNING] + [a.pk for a in never]
        Action.objects.filter(pk__in=lost).update(
            state=P.PLANNED, reason=_("Relancée : tâche interrompue avant l'envoi")
        )
        if never:  # their prepared message never left: a new one will
            _settle([a.pk for a in never], False)
        if sent:
            _journaled_done(sent)
        if uncertain:
            _mark_uncertain(uncertain, _("tâche interrompue pendant l'envoi"))
            log.warning(
                "collection: %d send(s) left uncertain by a lost worker",
                len(uncertain),
            )
    return len(rows)


def _journaled_done(actions: list[Action]) -> None:
    """Messages the server accepted (journaled) before their worker died:
    done as if the batch had ended, dated the day of the send."""
    claims = _lock_claims(action_ids=[a.pk for a in actions])
    zones = dict(
        Creditor.objects.filter(pk__in={a.creditor_id for a in actions}).values_list(
            "pk", "time_zone"
        )
    )
    by_day: dict[date, list[Action]] = defaultdict(list)
    for a in actions:
        when = timezone.localtime(a.started_at, ZoneInfo(zones[a.creditor_id]))
        by_day[when.date()].append(a)
    for day, done in by_day.items():
        _mark_done(done, claims, day, None, DeliverOutcome())
    _settle([a.pk for a in actions], True)
    log.warning(
        "collection: %d send(s) of a lost worker done (accepted by the server)",
        len(actions),
    )


def _mark_uncertain(actions: list[Action], why: str) -> None:
    Action.objects.filter(pk__in=[a.pk for a in actions]).update(
        state=P.UNCERTAIN, reason=f"{uncertain_text()} ({why})"[:500]
    )
    Event.objects.bulk_create(
        Event(
            creditor_id=a.creditor_id,
            claim_id=a.claim_id,
            kind=Event.Kind.ACTION_UNCERTAIN,
            actor_label="système",
            message=said(
                gettext_noop("%(s)s — %(u)s"), s=str(a.step), u=said(UNCERTAIN)
            ),
            data={"action": str(a.code), "message_id": a.message_id, "why": why},
        )
        for a in actions
    )
    claims_refresh_next_action(claim_ids={a.claim_id for a in actions})


@dataclass
class TickPlan:
    creditor_days: dict[int, date]
    planned_claims: int
    resumed: int
    requeued: int
    deliveries: list[tuple[int, int, list[int], date]]
    notices: list[Notice] = field(default_factory=list)


def collection_plan(*, now: datetime, creditor_id: int | None = None) -> TickPlan:
    """What one tick does before enqueuing: constant number of queries."""
    days = creditors_due(now=now)
    if creditor_id is not None:
        days = {k: v for k, v in days.items() if k == creditor_id}
    planned = (
        claims_plan(claim_ids=claims_unplanned(creditor_ids=list(days))) if days else 0
    )
    resumed = claims_resume_paused(creditor_days=days)
    for day, ids in _by_date(days).items():  # broken plans: collection resumes
        plans_check(today=day, creditor_ids=ids)
    requeued = actions_requeue_stale(now=now)
    deliveries = group_by_debtor(actions_due(creditor_days=days))
    notices = plan_notices_due(creditor_days=days)
    return TickPlan(days, planned, resumed, requeued, deliveries, notices)


# ---------------------------------------------------------------- delivery


@dataclass
class DeliverOutcome:
    done: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    held: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    retry: bool = False
    # Left planned: another worker holds one of the debtor's claims (SKIP
    # LOCKED); the next tick offers them again.
    busy: list[int] = field(default_factory=list)

    def merge(self, other: DeliverOutcome) -> None:
        self.done += other.done
        self.skipped.update(other.skipped)
        self.held.update(other.held)
        self.failed.update(other.failed)
        self.retry = self.retry or other.retry
        self.busy += other.busy


#: (creditor id, debtor id, action ids, local today): one debtor's message.
DeliveryRow = tuple[int, int, list[int], date]
BATCH_SIZE = 200  # default of COLLECTION_BATCH_SIZE (debtors per task)


def batch_size() -> int:
    return max(1, int(getattr(settings, "COLLECTION_BATCH_SIZE", BATCH_SIZE)))


def batches(
    rows: list[DeliveryRow], size: int | None = None
) -> list[list[DeliveryRow]]:
    """The tick's deliveries cut into batches of ``size`` debtors."""
    size = size or batch_size()
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _lock_claims(
    *, action_ids: list[int], creditor_id: int | None = None, skip_locked: bool = False
) -> dict[int, Claim]:
    """The claims of these actions, row-locked, in one statement.

    ``skip_locked``: claims another transaction holds (a worker on the same
    debtor, a payment being recorded) are left out instead of waited for.
    SQLite has no row locks: the statement is a plain SELECT there.
    """
    actions = Action.objects.filter(pk__in=action_ids)
    if creditor_id is not None:
        actions = actions.filter(creditor_id=creditor_id)
    claims = (
        Claim.objects.select_for_update(of=("self",), skip_locked=skip_locked)
        .select_related("debtor", "creditor")
        .filter(pk__in=actions.values("claim_id"))
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
    emails_any_day: bool = False,
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
    if (
        step.kind in SENT_KINDS
        and not is_working_day(today, country)
        and not (emails_any_day and is_electronic(step.channel))
    ):
        # Send days skip weekends and public holidays of the creditor's country
        # (legal-brief §2.2 working days): no letter, registered or not, is
        # dated on such a day, and e-mails follow the same calendar unless the
        # creditor chose to send them any day (Creditor.emails_on_non_working_days).
        return next_working_day(today, country), _(
            "Pas d'envoi un week-end ou un jour férié"
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
    """Deliver one debtor's due actions in one message: a batch of one."""
    return actions_deliver_batch(
        [(creditor_id, debtor_id, list(action_ids), today)], force=force, actor=actor
    )


def actions_deliver_batch(
    deliveries: list[DeliveryRow],
    *,
    force: bool = False,
    actor: AbstractBaseUser | None = None,
) -> DeliverOutcome:
    """Deliver a batch of debtors (one message each); safe to run twice.

    Three short transactions for the whole batch (docs/reliability.md), each
    with a number of SQL statements that does not grow with the batch:

    1. claim: the batch's claims locked with ``SKIP LOCKED`` (a debtor another
       worker holds is left for later), what may still be sent decided in
       memory, the rest skipped, cancelled or held in bulk, and the actions
       claimed with one conditional UPDATE (planned → running);
    2. prepare: under the locks, re-check, let the deliverer render and write
       its message rows for the batch, and record the intent of every message
       with one UPDATE (running → sending, with each Message-ID) — committed
       before any byte leaves;
    3. send: under the locks again, re-check (a payment, dispute or pause
       committed meanwhile cancels that debtor's prepared message), send the
       batch (the letters deliverer: one SMTP connection), and mark what the
       server accepted done in bulk, in the same transaction.

    A worker killed during 1–2 leaves "running" (re-planned later); during 3,
    "sending" (shown to the owner as uncertain, never re-sent by itself). Any
    error of one debtor's data or rendering makes the batch fall back to one
    debtor at a time, which fails that debtor's actions with the reason and
    an event; only connection trouble propagates (the task retries).
    """
    out = DeliverOutcome()
    if not deliveries:
        return out
    try:
        with transaction.atomic():
            step = DeliverOutcome()
            claimed = _claim_batch(deliveries, force, step)
        out.merge(step)
    except RETRYABLE:
        raise
    except Exception as exc:
        if len(deliveries) > 1:  # isolate the broken debtor
            for row in deliveries:
                out.merge(actions_deliver_batch([row], force=force, actor=actor))
            return out
        log.exception("collection: claiming actions %s failed", deliveries[0][2])
        _fail_broken(deliveries[0][2], P.PLANNED, exc, out)
        return out
    if not claimed:
        return out
    deliverer = two_phase(get_deliverer())
    # The journal's rows are written with the intents (transaction 2), its
    # answers during the send (claims.engine.send_journal).
    journal = journal_batch(deliverer.journaled)
    prepared: list[_Prepared] = []
    try:
        with transaction.atomic():
            step = DeliverOutcome()
            prepared = _prepare_batch(claimed, deliverer, actor, step, journal)
        out.merge(step)
    except RETRYABLE:
        raise
    except Exception as exc:
        if len(claimed) == 1:
            log.exception("collection: preparing actions %s failed", claimed[0].ids)
            _fail_broken(claimed[0].ids, P.RUNNING, exc, out)
        else:  # nothing was committed: prepare one debtor at a time
            prepared = _prepare_one_by_one(claimed, deliverer, actor, out, journal)
    if prepared:
        with transaction.atomic():
            _send_batch(prepared, deliverer, actor, out, journal)
    return out


def _prepare_one_by_one(
    claimed: list[_Group],
    deliverer: TwoPhaseDeliverer,
    actor: AbstractBaseUser | None,
    out: DeliverOutcome,
    journal: uuid.UUID | None = None,
) -> list[_Prepared]:
    prepared: list[_Prepared] = []
    for position, group in enumerate(claimed):
        try:
            with transaction.atomic():
                step = DeliverOutcome()
                prepared += _prepare_batch(
                    [group], deliverer, actor, step, journal, position
                )
            out.merge(step)
        except RETRYABLE:
            raise
        except Exception as exc:
            log.exception("collection: preparing actions %s failed", group.ids)
            _fail_broken(group.ids, P.RUNNING, exc, out)
    return prepared


def _fail_broken(ids: list[int], state: str, exc: Exception, out: DeliverOutcome):
    """Nothing was sent: the actions fail with the error, the run goes on."""
    error = f"{type(exc).__name__}: {exc}"[:500]
    with transaction.atomic():
        actions = list(
            Action.objects.select_for_update()
            .filter(pk__in=ids, state=state)
            .select_related("step")
        )
        if actions:
            _mark_failed(actions, {}, error, True, out)
            claims_refresh_next_action(claim_ids={a.claim_id for a in actions})


@dataclass
class _Group:
    """One debtor's claimed actions (running), in the order they were claimed."""

    creditor_id: int
    debtor_id: int
    ids: list[int]
    today: date


@dataclass
class _Prepared:
    delivery: Delivery
    token: Any
    ids: list[int]


def _claim_batch(
    deliveries: list[DeliveryRow], force: bool, out: DeliverOutcome
) -> list[_Group]:
    """Transaction 1: lock (SKIP LOCKED), decide in memory, claim in one UPDATE."""
    owner: dict[int, tuple[int, int]] = {}
    days: dict[tuple[int, int], date] = {}
    for creditor_id, debtor_id, ids, day in deliveries:
        for pk in ids:
            owner[pk] = (creditor_id, debtor_id)
        days[(creditor_id, debtor_id)] = day
    claims = _lock_claims(action_ids=list(owner), skip_locked=True)
    actions = [
        a
        for a in Action.objects.filter(pk__in=list(owner), state=P.PLANNED)
        .select_related("step")
        .order_by("claim_id", "step__position")
        # an action of another creditor or debtor than the task says: ignored
        if owner[a.pk] == (a.creditor_id, a.debtor_id)
    ]
    busy = {(a.creditor_id, a.debtor_id) for a in actions if a.claim_id not in claims}
    if busy:  # one message per debtor: all of its claims, or none now
        out.busy += [a.pk for a in actions if (a.creditor_id, a.debtor_id) in busy]
        actions = [a for a in actions if (a.creditor_id, a.debtor_id) not in busy]
    pending: dict[int, set[int]] = defaultdict(set)
    for claim_id, position in (
        Action.objects.filter(
            # An uncertain send holds the claim's next steps until the owner decides.
            claim_id__in=list(claims),
            state__in=[P.PLANNED, P.RUNNING, P.SENDING, P.UNCERTAIN],
        )
        .exclude(step__channel="call")
        .values_list("claim_id", "step__position")
    ):
        pending[claim_id].add(position)
    keep: list[Action] = []
    seen_claims: set[int] = set()
    changes: list[Action] = []
    for a in actions:
        claim = claims[a.claim_id]
        today = days[(a.creditor_id, a.debtor_id)]
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
            pos < a.step.position for pos in pending.get(a.claim_id, ())
        )
        creditor = claim.creditor
        hold = _hold_until(
            a,
            claim,
            earlier,
            today,
            force,
            creditor.country,
            creditor.emails_on_non_working_days,
        )
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
    Action.objects.filter(pk__in=[a.pk for a in keep], state=P.PLANNED).update(
        state=P.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        reason="",
    )
    kept = {a.pk for a in keep}
    return [
        _Group(c, d, [pk for pk in ids if pk in kept], day)
        for c, d, ids, day in deliveries
        if any(pk in kept for pk in ids)
    ]


def _prepare_batch(
    groups: list[_Group],
    deliverer: TwoPhaseDeliverer,
    actor: AbstractBaseUser | None,
    out: DeliverOutcome,
    journal: uuid.UUID | None = None,
    offset: int = 0,
) -> list[_Prepared]:
    """Transaction 2: re-check under the locks, prepare, record every intent
    (and, with a journal, each message's place in the sending order: the
    group's place in the batch, ``offset`` for a batch prepared one by one)."""
    ids = [pk for g in groups for pk in g.ids]
    days = {pk: g.today for g in groups for pk in g.ids}
    claims = _lock_claims(action_ids=ids)
    actions = {
        a.pk: a for a in _stop_blocked(_running(ids, P.RUNNING), claims, days, out)
    }
    escalations: dict[date, list[Action]] = defaultdict(list)
    deliveries: list[Delivery] = []
    place: dict[int, int] = {}  # delivery's first action → its place
    for gi, g in enumerate(groups):
        mine = [actions[pk] for pk in g.ids if pk in actions]
        for a in mine:
            if a.step.kind == "escalate":  # nothing to send
                escalations[g.today].append(a)
        messages = [a for a in mine if a.step.kind != "escalate"]
        if messages:
            deliveries.append(
                Delivery(
                    g.creditor_id,
                    g.debtor_id,
                    tuple(a.pk for a in messages),
                    g.today,
                    attempt=1 + max(a.resends for a in messages),
                )
            )
            place[messages[0].pk] = offset + gi + 1
    for day, done in escalations.items():
        _mark_done(done, claims, day, actor, out)
    if not deliveries:
        return []
    tokens = deliverer.prepare_batch(deliveries)
    refused: dict[tuple[str, bool], list[Action]] = defaultdict(list)
    prepared: list[_Prepared] = []
    for delivery, token in zip(deliveries, tokens, strict=True):
        if isinstance(token, DeliveryResult) and not token.delivered:
            refused[(token.error, token.permanent)] += [
                actions[pk] for pk in delivery.action_ids
            ]
        else:
            prepared.append(_Prepared(delivery, token, list(delivery.action_ids)))
    for (error, permanent), failed in refused.items():
        _mark_failed(failed, claims, error, permanent, out)
    if prepared:
        _intent_write(prepared)
        journal_open(
            journal,
            [(place[p.delivery.action_ids[0]], p.delivery.message_id()) for p in prepared],
        )
    return prepared


def _intent_write(prepared: list[_Prepared]) -> None:
    """The intent to send: committed with the deliverer's rows, before
    sending — one UPDATE for the batch, each action its Message-ID."""
    now = timezone.now()
    if connection.vendor == "postgresql":  # a join on the pairs, no CASE to build
        pairs = [(pk, p.delivery.message_id()) for p in prepared for pk in p.ids]
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE claims_action a SET state = %s, started_at = %s,"
                " message_id = v.mid"
                " FROM unnest(%s::bigint[], %s::text[]) AS v(id, mid)"
                " WHERE a.id = v.id AND a.state = %s",
                [
                    P.SENDING,
                    now,
                    [pk for pk, _mid in pairs],
                    [mid for _pk, mid in pairs],
                    P.RUNNING,
                ],
            )
        return
    Action.objects.filter(
        pk__in=[pk for p in prepared for pk in p.ids], state=P.RUNNING
    ).update(
        state=P.SENDING,
        started_at=now,
        message_id=Case(
            *(
                When(pk__in=p.ids, then=Value(p.delivery.message_id()))
                for p in prepared
            ),
            default=F("message_id"),
        ),
    )


def _running(ids: list[int], state: str) -> list[Action]:
    """The actions, row-locked (a live worker's rows are skipped by recovery)."""
    return list(
        Action.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, state=state)
        .select_related("step")
        .order_by("pk")
    )


def _stop_blocked(
    actions: list[Action],
    claims: dict[int, Claim],
    days: dict[int, date],
    out: DeliverOutcome,
) -> list[Action]:
    """The actions whose claim may still be contacted; the others are held or
    cancelled (bulk). ``days``: each action's local today."""
    stop = []
    for a in actions:
        block = _blocker(claims[a.claim_id], days[a.pk])
        if block is not None:  # a payment or dispute slipped in between
            a.state, a.reason = block
            (out.held if a.state == P.PLANNED else out.skipped)[a.pk] = a.reason
            stop.append(a)
    _save_decisions(stop, claims)
    stopped = {a.pk for a in stop}
    return [a for a in actions if a.pk not in stopped]


def _send_batch(
    prepared: list[_Prepared],
    deliverer: TwoPhaseDeliverer,
    actor: AbstractBaseUser | None,
    out: DeliverOutcome,
    journal: uuid.UUID | None = None,
) -> None:
    """Transaction 3: re-check under the locks, send, mark done (bulk).

    The claims stay locked from the last re-check through the send to the
    done mark: a payment, dispute or pause arriving meanwhile waits for it.
    """
    ids = [pk for p in prepared for pk in p.ids]
    days = {pk: p.delivery.today for p in prepared for pk in p.ids}
    claims = _lock_claims(action_ids=ids)
    kept = {a.pk: a for a in _stop_blocked(_running(ids, P.SENDING), claims, days, out)}
    go = [p for p in prepared if all(pk in kept for pk in p.ids)]
    stopped = [p for p in prepared if not all(pk in kept for pk in p.ids)]
    if stopped:
        # Stopped (or taken back by recovery) after the intent: the message,
        # prepared for every claim of the debtor, does not leave; the rest of
        # that debtor's actions is planned again.
        back = [pk for p in stopped for pk in p.ids if pk in kept]
        for p in stopped:
            if deliverer.cancel is not None:
                deliverer.cancel(p.delivery, p.token)
        Action.objects.filter(pk__in=back).update(
            state=P.PLANNED, reason=_("Message annulé : une autre créance a changé")
        )
        out.held.update({pk: _("Message annulé") for pk in back})
        out.retry = out.retry or bool(back)
    if not go:
        return
    pairs = [(p.delivery, p.token) for p in go]
    try:
        # Each answer journaled as it comes, apart from this transaction: a
        # worker killed during the batch leaves only the message in flight
        # uncertain (claims.engine.send_journal).
        skipped = [p.delivery.message_id() for p in stopped]
        with journaled(journal, skipped), transaction.atomic():  # a savepoint
            results = deliverer.send_batch(pairs)
    except RETRYABLE:
        raise
    except Exception as exc:
        # Some may have left before the error: never sent again by itself.
        log.exception("collection: sending actions %s failed", ids)
        error = f"{type(exc).__name__}: {exc}"[:500]
        results = [DeliveryResult(delivered=False, error=error, uncertain=True)] * len(
            go
        )
    uncertain: dict[str, list[Action]] = defaultdict(list)
    refused: dict[tuple[str, bool], list[Action]] = defaultdict(list)
    done: dict[date, list[Action]] = defaultdict(list)
    for p, result in zip(go, results, strict=True):
        mine = [kept[pk] for pk in p.ids]
        if result.uncertain:
            uncertain[result.error] += mine
        elif not result.delivered:
            refused[(result.error, result.permanent)] += mine
        else:
            done[p.delivery.today] += mine
    for why, actions in uncertain.items():
        _mark_uncertain(actions, why)
        out.failed.update({a.pk: why[:500] for a in actions})
    for (error, permanent), actions in refused.items():
        _mark_failed(actions, claims, error, permanent, out)
    for day, actions in done.items():
        _mark_done(actions, claims, day, actor, out)
    journal_forget(journal)  # the outcome is in this transaction now


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
            message=said(gettext_noop("%(s)s : %(r)s"), s=str(a.step), r=a.reason),
            data={"action": str(a.code), "state": a.state},
        )
        for a in changes
        if a.state != P.PLANNED
    )
    claims_refresh_next_action(claim_ids={a.claim_id for a in changes})


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
            message=said(
                gettext_noop("Échec de l'envoi (%(s)s) : %(e)s"), s=str(a.step), e=error
            ),
            data={"action": str(a.code), "final": final, "attempt": a.attempts},
        )
        for a in actions
    )
    out.failed.update({a.pk: error for a in actions})
    out.retry = out.retry or not final


def _mark_done(
    actions: list[Action],
    claims: dict[int, Claim],
    today: date,
    actor: AbstractBaseUser | None,
    out: DeliverOutcome,
) -> None:
    """Steps done (sent, or escalated): the same statements for 1 or 500."""
    if not actions:
        return
    now = timezone.now()
    events = _apply_done(actions, claims, today, actor)
    for a in actions:
        a.state, a.done_at = P.DONE, now
    _update_grouped(Action, actions, ("state", "done_at", "deadline_on"))
    Event.objects.bulk_create(events)
    # In the transaction that marks the actions done.
    webhook_emit_events(events, {Event.Kind.ACTION_DONE: "message.sent"})
    _shift_following(actions, today)
    claims_refresh_next_action(claim_ids={a.claim_id for a in actions})
    # A reminder or a notice can start interest and fees: store the statement.
    claims_refresh_figures(claim_ids={a.claim_id for a in actions}, not_before=today)
    out.done += [a.pk for a in actions]


#: The claim fields a done step may set (written with one bulk UPDATE).
DONE_FIELDS = (
    "amicable_exhausted_on",
    "last_contact_on",
    "reply_by",
    "first_reminder_sent_on",
    "first_reminder_channel",
    "formal_notice_sent_on",
)


def _apply_done(
    actions: list[Action], claims: dict[int, Claim], today: date, actor: Any
) -> list[Event]:
    """Claim fields and events after steps are done (one step per claim).

    Claim fields in one bulk UPDATE (the claims are row-locked, read in this
    transaction), the demanded invoices in bulk; only a stage change (a
    formal notice) goes claim by claim through the state machine.
    """
    label = actor.get_username() if actor is not None else "système"
    _record_invoices(actions, today)
    events: list[Event] = []
    touched: dict[int, Claim] = {}
    for a in actions:
        claim = claims[a.claim_id]
        ev = Event(
            creditor_id=a.creditor_id,
            claim_id=a.claim_id,
            kind=Event.Kind.ACTION_DONE,
            actor=actor,
            actor_label=label,
            message=said(
                gettext_noop("%(s)s envoyé (%(c)s)"),
                s=choice(a.step, "kind"),
                c=choice(a.step, "channel"),
            ),
            data={
                "action": str(a.code),
                "template": a.step.template,
                "channel": a.step.channel,
            },
        )
        if a.step.kind == "escalate":
            claim.amicable_exhausted_on = today
            ev.message = _("Phase amiable épuisée : choisir la voie judiciaire")
        else:
            claim.last_contact_on = today
            deadline = step_deadline(a.step, claim, today)
            claim.reply_by = a.deadline_on = deadline
            ev.data["deadline"] = deadline.isoformat()
        if a.step.kind == "first_reminder" and claim.first_reminder_sent_on is None:
            claim.first_reminder_sent_on = today
            claim.first_reminder_channel = a.step.channel
        if a.step.kind == "formal_notice":
            claim.formal_notice_sent_on = today
        touched[claim.pk] = claim
        events.append(ev)
    _update_grouped(Claim, list(touched.values()), DONE_FIELDS)
    for a in actions:
        claim = claims[a.claim_id]
        # The stage follows what was sent, through the one state machine.
        after = stage_after_step(claim.stage, a.step.kind)
        if after is not None:
            claim_transition(
                claim_id=claim.pk,
                to=after,
                actor=actor,
                reason=said(gettext_noop("%(s)s envoyée"), s=choice(a.step, "kind")),
                expected_stage=claim.stage,
                today=today,
                replan="skip",
            )
            claim.stage = after
        elif a.step.kind == "formal_notice":
            claim_replan(claim=claim, today=today, actor=actor, mode="skip")
    return events


def _update_grouped(model: Any, rows: list[Any], fields: tuple[str, ...]) -> None:
    """Write ``fields`` of ``rows``: one UPDATE per distinct set of values.

    A batch of the same step on the same day shares its values (one
    statement); unlike ``bulk_update`` no CASE per row to build or run.
    """
    groups: dict[tuple, list[int]] = defaultdict(list)
    for row in rows:
        groups[tuple(getattr(row, f) for f in fields)].append(row.pk)
    for values, pks in groups.items():
        model.objects.filter(pk__in=pks).update(
            **dict(zip(fields, values, strict=True))
        )


def _record_invoices(actions: list[Action], today: date) -> None:
    """Which invoices each message demanded: only those already due (invoice
    by invoice). The first message demanding an invoice is its own first
    reminder; a formal notice dates the notice of each invoice it demands.
    One read and a few bulk writes for the whole batch."""
    sent = [a for a in actions if a.step.kind not in ("pre_due", "escalate")]
    if not sent:
        return
    by_claim: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in Invoice.objects.filter(claim_id__in={a.claim_id for a in sent}):
        by_claim[invoice.claim_id].append(invoice)
    through = Action.invoices.through
    links = []
    first: dict[str, list[int]] = defaultdict(list)
    notices: list[int] = []
    for a in sent:
        covered = [i for i in by_claim[a.claim_id] if invoice_demanded(i, today)]
        links += [through(action_id=a.pk, invoice_id=i.pk) for i in covered]
        bills = [i.pk for i in covered if i.kind != InvoiceKind.CREDIT_NOTE]
        first[a.step.channel] += bills
        if a.step.kind == "formal_notice":
            notices += bills
    through.objects.bulk_create(links, ignore_conflicts=True)
    for channel, bills in first.items():
        Invoice.objects.filter(
            pk__in=bills, first_reminder_sent_on__isnull=True
        ).update(first_reminder_sent_on=today, first_reminder_channel=channel)
    if notices:
        Invoice.objects.filter(
            pk__in=notices, formal_notice_sent_on__isnull=True
        ).update(formal_notice_sent_on=today)


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
        new = today + _step_gap(a.step, f.step)
        if new > f.due_on:
            f.due_on = new
            changed.append(f)
    Action.objects.bulk_update(changed, ["due_on"])


def _step_gap(done: Any, following: Any) -> timedelta:
    """How long after ``done`` the ``following`` step comes in its scenario."""
    from claims.engine.collection import step_specs
    from claims.engine.scenarios import plan_dates

    gap = (
        plan_dates(step_specs([following]), date(2000, 1, 1))[0]
        - plan_dates(step_specs([done]), date(2000, 1, 1))[0]
    )
    if following.anchor == "previous_step" or gap.days < 0:
        gap = timedelta(days=following.offset_days)
    return gap


def claim_send_days(
    claim: Claim, actions: list[Action], today: date
) -> list[tuple[Action, date]]:
    """The day the tick will really send each planned step of ``claim``, if
    nothing changes meanwhile (no payment, dispute or pause).

    The engine's own rules played step by step: one step per claim and day,
    the waiting rules of ``_hold_until`` (a hold moves the step's date) (the deadline printed in the previous
    message, weekends and public holidays, the pace since the last contact,
    the Belgian consumer's waiting period), and a step sent late pushing the
    later ones as ``_shift_following`` does. The claim page's "next step" and
    its list of planned steps both read it; the dashboard's forecast plays
    the same rules for the whole book.
    """
    from copy import copy

    creditor = claim.creditor
    sim = copy(claim)
    planned = sorted(
        (a for a in actions if a.state == Action.State.PLANNED),
        key=lambda a: (a.due_on, a.step.position),
    )
    due = {a.pk: a.due_on for a in planned}
    out: list[tuple[Action, date]] = []
    previous: date | None = None
    for a in planned:
        day = max(today, due[a.pk])
        if previous is not None and day <= previous:
            # Held while the previous step is pending: due the day after.
            day = due[a.pk] = previous + timedelta(days=1)
        for _i in range(20):
            held = _hold_until(
                a,
                sim,
                False,
                day,
                False,
                creditor.country,
                creditor.emails_on_non_working_days,
            )
            if held is None or held[0] <= day:
                break
            day = due[a.pk] = held[0]  # a hold moves the step's date
        out.append((a, day))
        previous = day
        if a.step.kind != "escalate":
            sim.last_contact_on = day
            sim.reply_by = step_deadline(a.step, sim, day)
        if a.step.kind == "first_reminder" and sim.first_reminder_sent_on is None:
            sim.first_reminder_sent_on = day
            sim.first_reminder_channel = a.step.channel
        if day > due[a.pk]:
            for f in planned:
                if f.step.position > a.step.position:
                    due[f.pk] = max(due[f.pk], day + _step_gap(a.step, f.step))
    return out


def collection_run_sync(
    *, now: datetime, creditor_id: int | None = None, dry_run: bool = False
) -> tuple[TickPlan, list[DeliverOutcome]]:
    """The tick run in-process (management command ``collect``, tests): one
    outcome per batch of ``COLLECTION_BATCH_SIZE`` debtors."""
    if dry_run:
        with transaction.atomic():
            plan = collection_plan(now=now, creditor_id=creditor_id)
            transaction.set_rollback(True)
        return plan, []
    plan = collection_plan(now=now, creditor_id=creditor_id)
    outcomes = [actions_deliver_batch(batch) for batch in batches(plan.deliveries)]
    notices_send(plan.notices)
    return plan, outcomes


@transaction.atomic
def collection_enqueue(*, now: datetime | None = None) -> int:
    """The beat tick: plan and select, then one task per batch of debtors
    after commit. Returns the number of debtors (deliveries) enqueued."""
    from claims.engine.tasks import deliver_batch_task
    from claims.engine.tasks import notice_send_task

    plan = collection_plan(now=now or timezone.now())
    chunks = batches(plan.deliveries)
    for chunk in chunks:
        deliver_batch_task.delay_on_commit(
            [[c, d, ids, day.isoformat()] for c, d, ids, day in chunk]
        )
    for n in plan.notices:
        notice_send_task.delay_on_commit(
            n.kind, n.claim_id, n.subject_id, n.today.isoformat()
        )
    log.info(
        "collection tick: %d deliveries in %d batches",
        len(plan.deliveries),
        len(chunks),
    )
    return len(plan.deliveries)


# ---------------------------------------------------------------- uncertain sends


class ActionNotUncertain(Exception):
    """The action was already decided (done, resent…): nothing to do."""


def _uncertain_locked(creditor: Creditor, code: Any) -> tuple[Action, dict]:
    """The creditor's uncertain action, claim and action row-locked (else 404/error)."""
    action = Action.objects.for_creditor(creditor.pk).get(code=code)
    claims = _lock_claims(creditor_id=creditor.pk, action_ids=[action.pk])
    locked = (
        Action.objects.select_for_update(of=("self",))
        .select_related("step")
        .filter(pk=action.pk, state=P.UNCERTAIN)
        .first()
    )
    if locked is None:
        raise ActionNotUncertain(_("Cet envoi a déjà été traité."))
    return locked, claims


def _settle(action_ids: list[int], sent: bool) -> None:
    deliverer = get_deliverer()
    if isinstance(deliverer, TwoPhaseDeliverer) and deliverer.settle is not None:
        deliverer.settle(action_ids, sent)


@transaction.atomic
def action_confirm_sent(
    *, creditor: Creditor, code: Any, actor: AbstractBaseUser
) -> Action:
    """The owner checked that the uncertain message did leave: done, not sent again.

    Same claim fields and events as a normal send, dated the day of the send.
    """
    action, claims = _uncertain_locked(creditor, code)
    sent_on = timezone.localtime(
        action.started_at or timezone.now(), ZoneInfo(creditor.time_zone)
    ).date()
    _mark_done([action], claims, sent_on, actor, DeliverOutcome())
    _settle([action.pk], True)
    Event.objects.create(
        creditor_id=action.creditor_id,
        claim_id=action.claim_id,
        kind=Event.Kind.ACTION_UNCERTAIN,
        actor=actor,
        actor_label=actor.get_username(),
        message=said(
            gettext_noop("Envoi incertain confirmé comme envoyé (%(s)s)"),
            s=str(action.step),
        ),
        data={"action": str(action.code), "message_id": action.message_id},
    )
    action.state = P.DONE
    return action


@transaction.atomic
def action_resend(*, creditor: Creditor, code: Any, actor: AbstractBaseUser) -> Action:
    """The owner asks to send the uncertain message again: planned, new attempt.

    The next run claims it like any due action (the claim is re-checked) and
    sends it with a new Message-ID (the send round is part of it).
    """
    action, _claims = _uncertain_locked(creditor, code)
    reason = _("Renvoi demandé par %(u)s") % {"u": actor.get_username()}
    Action.objects.filter(pk=action.pk).update(
        state=P.PLANNED, reason=reason, resends=F("resends") + 1
    )
    _settle([action.pk], False)
    Event.objects.create(
        creditor_id=action.creditor_id,
        claim_id=action.claim_id,
        kind=Event.Kind.ACTION_UNCERTAIN,
        actor=actor,
        actor_label=actor.get_username(),
        message=said(
            gettext_noop("Envoi incertain : nouvel envoi demandé (%(s)s)"),
            s=str(action.step),
        ),
        data={"action": str(action.code), "previous_message_id": action.message_id},
    )
    claims_refresh_next_action(claim_ids={action.claim_id})
    action.state = P.PLANNED
    return action


# ---------------------------------------------------------------- forecast


@dataclass
class ForecastEntry:
    """One message the tick will send: one debtor, one day, its actions."""

    day: date
    creditor_id: int
    debtor_id: int
    actions: list[Any]

    @property
    def debtor(self) -> Any:
        return self.actions[0].claim.debtor

    @property
    def action_ids(self) -> list[int]:
        return [a.pk for a in self.actions]


class _ForecastDebtor:
    """The debtor fields the delivery rules read, from one row (no model)."""

    __slots__ = (
        "address_unknown",
        "country",
        "is_deceased",
        "is_insolvent",
        "kind",
        "name",
    )
    automation_blocked = Debtor.automation_blocked

    def __init__(self, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(self, name, value)


class _ForecastClaim:
    """The claim fields the delivery rules read and the forecast moves on."""

    __slots__ = (
        "balance",
        "code",
        "creditor_id",
        "debtor",
        "first_reminder_channel",
        "first_reminder_sent_on",
        "last_contact_on",
        "paused_until",
        "pk",
        "reference",
        "reply_by",
        "resume_stage",
        "stage",
        "status",
    )  # fmt: skip
    get_absolute_url = Claim.get_absolute_url

    def __init__(self, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(self, name, value)


class _ForecastAction:
    __slots__ = ("claim", "claim_id", "due_on", "pk", "step")

    def __init__(self, pk: int, claim: _ForecastClaim, step: Any, due_on: date) -> None:
        self.pk, self.claim_id, self.claim = pk, claim.pk, claim
        self.step, self.due_on = step, due_on


_CLAIM_COLUMNS = (
    "pk",
    *(n for n in _ForecastClaim.__slots__ if n not in ("debtor", "pk")),
)
_STEP_COLUMNS = tuple(
    f.attname for f in ScenarioStep._meta.concrete_fields if f.attname != "id"
)


def _forecast_candidates(
    creditor_id: int, horizon: date, debtor_ids: list[int] | None
) -> QuerySet:
    """Every action the selection of :func:`_forecast_rows` can hold up to
    ``horizon`` (its two filters joined in one, so a superset), of
    ``debtor_ids`` only when given: it spares sending thousands of ids back to
    the database."""
    qs = Action.objects.filter(
        creditor_id=creditor_id,
        state=P.PLANNED,
        due_on__lte=horizon,
        claim__status=Claim.Status.OPEN,
        claim__stage__in=[*AUTOMATIC, Stage.PAUSED],
    ).exclude(step__channel="call")
    return qs if debtor_ids is None else qs.filter(debtor_id__in=debtor_ids)


def _forecast_actions(
    candidates: QuerySet, ids: set[int]
) -> dict[int, _ForecastAction]:
    """The selected actions (``ids``) with their claim, debtor and step as
    plain rows, in one query: the forecast reads a few fields of thousands of
    actions, and model instances cost more than the simulation itself."""
    columns = (
        ["pk", "due_on", "step_id"]
        + [f"claim__{n}" for n in _CLAIM_COLUMNS]
        + [f"claim__debtor__{n}" for n in _ForecastDebtor.__slots__]
        + [f"step__{n}" for n in _STEP_COLUMNS]
    )
    claims: dict[int, _ForecastClaim] = {}
    steps: dict[int, ScenarioStep] = {}
    out: dict[int, _ForecastAction] = {}
    n_claim, n_debtor = len(_CLAIM_COLUMNS), len(_ForecastDebtor.__slots__)
    for row in candidates.values_list(*columns):
        pk, due_on, step_id = row[:3]
        if pk not in ids:
            continue
        claim_row = row[3 : 3 + n_claim]
        claim = claims.get(claim_row[0])
        if claim is None:
            debtor_row = row[3 + n_claim : 3 + n_claim + n_debtor]
            claim = claims[claim_row[0]] = _ForecastClaim(
                debtor=_ForecastDebtor(
                    **dict(zip(_ForecastDebtor.__slots__, debtor_row, strict=True))
                ),
                **dict(zip(_CLAIM_COLUMNS, claim_row, strict=True)),
            )
        step = steps.get(step_id)
        if step is None:
            step_row = row[3 + n_claim + n_debtor :]
            step = steps[step_id] = ScenarioStep(
                id=step_id, **dict(zip(_STEP_COLUMNS, step_row, strict=True))
            )
        out[pk] = _ForecastAction(pk, claim, step, due_on)
    return out


def _forecast_rows(creditor_id: int, day: date) -> list[tuple[int, int, int, date]]:
    """The tick's selection on ``day`` (:func:`actions_due`) plus the actions of
    claims whose pause will have ended by then (the tick resumes them first)."""
    rows = actions_due(creditor_days={creditor_id: day})
    resumed = (
        Action.objects.filter(
            creditor_id=creditor_id,
            state=P.PLANNED,
            due_on__lte=day,
            claim__status=Claim.Status.OPEN,
            claim__stage=Stage.PAUSED,
            claim__paused_until__lt=day,
        )
        .exclude(step__channel="call")
        .values_list("pk", "creditor_id", "debtor_id")
    )
    return rows + [(pk, c, d, day) for pk, c, d in resumed]


def collection_forecast(
    *, creditor_id: int, today: date, days: int = 7, limit: int | None = None
) -> list[ForecastEntry]:
    """What the ticks of ``today`` and the next ``days`` days will send.

    Day by day, the same selection as the tick (:func:`actions_due`, grouped
    by :func:`group_by_debtor`), judged by the same rules as delivery
    (:func:`_blocker`, :func:`_hold_until`: one step per claim and run, pace
    since the last contact, Belgian consumer waiting period), then the
    projected sends are applied to in-memory copies of the claims so the next
    day sees them. Read-only: nothing is written.

    With ``limit`` (the dashboard shows the first 50 entries), less is
    simulated with the same first ``limit`` entries: the days after the one
    that reaches ``limit`` (a day depends only on the days before it), and
    first only the first :data:`FORECAST_DEBTORS_FIRST` debtors of the
    selection (each debtor's sends depend only on its own claims, and a day's
    entries come in the selection's debtor order): when they fill ``limit``
    entries today, the other debtors cannot come before them; otherwise the
    whole selection is simulated (two queries more).
    """
    horizon = today + timedelta(days=days)
    # One selection up to the horizon; each day keeps what is due by then (the
    # pause dates are judged day by day by _blocker, as delivery does).
    selected = _forecast_rows(creditor_id, horizon)
    if limit is not None:
        debtors = list(dict.fromkeys(d for _pk, _c, d, _h in selected))
        if len(debtors) > FORECAST_DEBTORS_FIRST:
            first = debtors[:FORECAST_DEBTORS_FIRST]
            kept = set(first)
            out = _forecast_simulate(
                creditor_id,
                today,
                days,
                limit,
                [r for r in selected if r[2] in kept],
                first,
            )
            if sum(1 for e in out if e.day == today) >= limit:
                return out
    return _forecast_simulate(creditor_id, today, days, limit, selected, None)


FORECAST_DEBTORS_FIRST = 1000


def _forecast_simulate(
    creditor_id: int,
    today: date,
    days: int,
    limit: int | None,
    selected: list[tuple[int, int, int, date]],
    debtor_ids: list[int] | None,
) -> list[ForecastEntry]:
    horizon = today + timedelta(days=days)
    candidates = _forecast_candidates(creditor_id, horizon, debtor_ids)
    actions = _forecast_actions(candidates, {r[0] for r in selected})
    claims = {a.claim_id: a.claim for a in actions.values()}
    by_claim: dict[int, list[Any]] = defaultdict(list)
    for a in actions.values():
        by_claim[a.claim_id].append(a)
    # Positions of the steps still pending on each claim (the same states as
    # delivery: an uncertain send holds what follows), looked up per claim.
    pending: dict[int, set[int]] = defaultdict(set)
    # The creditor's calendar comes along with the pending steps (the same
    # creditor on every row) rather than joined into each planned action.
    calendar: tuple[str, bool] | None = None
    for claim_id, position, country, any_day in (
        Action.objects.filter(
            claim_id__in=candidates.values("claim_id"),
            state__in=[P.PLANNED, P.RUNNING, P.SENDING, P.UNCERTAIN],
        )
        .exclude(step__channel="call")
        .values_list(
            "claim_id",
            "step__position",
            "claim__creditor__country",
            "claim__creditor__emails_on_non_working_days",
        )
    ):
        pending[claim_id].add(position)
        calendar = (country, any_day)
    if calendar is None and claims:  # not expected: the selection is pending
        creditor = Creditor.objects.get(pk=creditor_id)
        calendar = (creditor.country, creditor.emails_on_non_working_days)
    if calendar is None:
        calendar = ("BE", False)
    due = {pk: a.due_on for pk, a in actions.items()}
    # Only the claims paused now can resume (the forecast pauses none).
    paused = [c for c in claims.values() if c.stage == Stage.PAUSED]
    gone: set[int] = set()
    out: list[ForecastEntry] = []
    for i in range(days + 1):
        if limit is not None and len(out) >= limit:
            break
        day = today + timedelta(days=i)
        for claim in paused:  # the tick resumes ended pauses first
            if (
                claim.stage == Stage.PAUSED
                and claim.paused_until
                and (claim.paused_until < day)
            ):
                claim.stage = claim.resume_stage or Stage.AMICABLE
                claim.paused_until = None
        live = [
            (pk, c, d, day)
            for pk, c, d, _h in selected
            if pk not in gone and due[pk] <= day
        ]
        for c, d, group, _day in group_by_debtor(live):
            chosen = _forecast_debtor(
                [actions[pk] for pk in group],
                by_claim,
                claims,
                pending,
                day,
                gone,
                due,
                calendar,
            )
            if chosen:
                out.append(ForecastEntry(day, c, d, chosen))
    return out


def _forecast_debtor(
    group: list[Any],
    by_claim: dict[int, list[Any]],
    claims: dict[int, Any],
    pending: dict[int, set[int]],
    day: date,
    gone: set[int],
    due: dict[int, date],
    calendar: tuple[str, bool] = ("BE", False),
) -> list[Any]:
    keep: list[Any] = []
    seen: set[int] = set()
    for a in sorted(group, key=lambda a: (a.claim_id, a.step.position)):
        claim = claims[a.claim_id]
        block = _blocker(claim, day)
        if block is not None:
            if block[0] != P.PLANNED:
                gone.add(a.pk)
            continue
        earlier = a.claim_id in seen or any(
            pos < a.step.position for pos in pending.get(a.claim_id, ())
        )
        hold = _hold_until(a, claim, earlier, day, False, *calendar)
        if hold is not None:
            due[a.pk] = max(hold[0], day + timedelta(days=1))
            continue
        seen.add(a.claim_id)
        keep.append(a)
    for a in keep:  # a step sent late pushes the later ones (_shift_following)
        if due[a.pk] < day:
            for f in by_claim.get(a.claim_id, []):
                if f.pk not in gone and f.step.position > a.step.position:
                    due[f.pk] = max(due[f.pk], day + _step_gap(a.step, f.step))
    for a in keep:  # as _apply_done would leave the claim
        gone.add(a.pk)
        pending[a.claim_id].discard(a.step.position)
        claim = claims[a.claim_id]
        if a.step.kind == "escalate":
            continue
        claim.last_contact_on = day
        if a.step.kind == "first_reminder" and claim.first_reminder_sent_on is None:
            claim.first_reminder_sent_on = day
            claim.first_reminder_channel = a.step.channel
        if a.step.kind == "formal_notice" and claim.stage == Stage.AMICABLE:
            claim.stage = Stage.FORMAL_NOTICE
    return keep
