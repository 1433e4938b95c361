"""Payment plans: proposal, debtor request, decision, and the daily check.

The plan PDF is made by ``letters``; this module exposes data and state only.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from claims.engine.execution import Notice
from claims.engine.execution import get_notifier
from claims.law.calendar import is_working_day
from claims.law.plans import InstalmentSpec
from claims.law.plans import cover
from claims.law.plans import first_missed
from claims.law.plans import is_completed
from claims.ledger.services import event_record
from claims.ledger.timeline import amount as money
from claims.ledger.timeline import said
from claims.ledger.webhooks import webhook_emit
from claims.ledger.webhooks import webhook_emit_events
from claims.models import Claim
from claims.models import ClosedReason
from claims.models import Event
from claims.models import Instalment
from claims.models import Payment
from claims.models import PaymentPlan
from claims.models import Stage

_OPEN_PLAN = (PaymentPlan.Status.REQUESTED, PaymentPlan.Status.PROPOSED)
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _check_specs(claim: Claim, specs: list[InstalmentSpec]) -> None:
    if not specs:
        raise ValidationError(_("Un plan compte au moins une échéance."))
    if any(s.amount <= 0 for s in specs):
        raise ValidationError(_("Chaque échéance doit être positive."))
    if not claim.is_open:
        raise ValidationError(_("La créance est clôturée."))


def _plan_create(
    *,
    claim: Claim,
    specs: list[InstalmentSpec],
    status: str,
    by_debtor: bool,
    grace_days: int,
    note: str,
) -> PaymentPlan:
    _check_specs(claim, specs)
    plan = PaymentPlan.objects.create(
        creditor_id=claim.creditor_id,
        claim=claim,
        status=status,
        requested_by_debtor=by_debtor,
        grace_days=grace_days,
        note=note,
    )
    Instalment.objects.bulk_create(
        Instalment(plan=plan, due_on=s.due_on, amount=s.amount) for s in specs
    )
    return plan


def _describe(specs: list[InstalmentSpec]) -> str:
    total = sum((s.amount for s in specs), Decimal("0.00"))
    return said(
        gettext_noop("%(n)s échéance(s), %(t)s au total, dès le %(d)s"),
        n=len(specs),
        t=money(total),
        d=specs[0].due_on,
    )


@transaction.atomic
def plan_propose(
    *,
    claim: Claim,
    instalments: list[InstalmentSpec],
    grace_days: int = 7,
    note: str = "",
    actor: AbstractBaseUser | None = None,
) -> PaymentPlan:
    """The creditor proposes a plan; the debtor accepts (and signs) or declines."""
    plan = _plan_create(
        claim=claim,
        specs=instalments,
        status=PaymentPlan.Status.PROPOSED,
        by_debtor=False,
        grace_days=grace_days,
        note=note,
    )
    event_record(
        claim=claim,
        kind=Event.Kind.PLAN,
        actor=actor,
        message=said(
            gettext_noop("Plan d'apurement proposé : %s"), _describe(instalments)
        ),
        data={"plan": str(plan.code)},
    )
    return plan


@transaction.atomic
def plan_request(
    *, claim: Claim, instalments: list[InstalmentSpec], note: str = ""
) -> PaymentPlan:
    """The debtor asks for a plan on the portal (``letters.portal.services``).
    Collection waits for the decision."""
    plan = _plan_create(
        claim=claim,
        specs=instalments,
        status=PaymentPlan.Status.REQUESTED,
        by_debtor=True,
        grace_days=7,
        note=note,
    )
    event_record(
        claim=claim,
        kind=Event.Kind.PLAN,
        actor_label="débiteur",
        message=said(
            gettext_noop(
                "Demande de plan via le portail : %(n)s mensualités à partir du %(d)s (%(t)s)"
            ),
            n=len(instalments),
            d=instalments[0].due_on,
            t=money(sum((i.amount for i in instalments), Decimal("0.00")), claim.currency),
        ),
        data={
            "plan": str(plan.code),
            "requested_on": timezone.localdate().isoformat(),
            "instalments": [[i.due_on.isoformat(), str(i.amount)] for i in instalments],
        },
    )
    return plan


def _decide(plan: PaymentPlan, status: str) -> None:
    won = PaymentPlan.objects.filter(pk=plan.pk, status__in=_OPEN_PLAN).update(
        status=status, decided_at=timezone.now()
    )
    if won != 1:
        raise ValidationError(_("Ce plan a déjà été traité."))
    plan.status = status


@transaction.atomic
def plan_accept(
    *,
    plan: PaymentPlan,
    today: date,
    signed_by_debtor: bool = False,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
    by_click: bool = False,
    ip: str | None = None,
) -> PaymentPlan:
    """Activate a plan: the claim enters the payment-plan stage, its stage is kept
    in ``resume_stage`` for when the plan breaks. A plan signed by the debtor is a
    writing from the debtor (art. 1338 C.J., Belgian summary order to pay)."""
    _decide(plan, PaymentPlan.Status.ACTIVE)
    plan_accepted_record(plan=plan, today=today, ip=ip if by_click else None)
    from claims.engine.collection import claim_transition

    claim = Claim.objects.select_for_update().get(pk=plan.claim_id)
    if claim.stage != Stage.PAYMENT_PLAN:  # through the one state machine
        claim = claim_transition(
            claim_id=claim.pk,
            to=Stage.PAYMENT_PLAN,
            actor=actor,
            reason="Plan d'apurement accepté",
            expected_stage=claim.stage,
            today=today,
        )
    if signed_by_debtor:
        claim.has_debtor_writing = True
        claim.save(update_fields=["has_debtor_writing"])
    event_record(
        claim=claim,
        kind=Event.Kind.PLAN,
        actor=actor,
        actor_label=actor_label,
        message=said(
            gettext_noop("Plan d'apurement accepté et signé par le débiteur")
            if signed_by_debtor
            else gettext_noop("Plan d'apurement accepté")
        ),
        data={"plan": str(plan.code), "resume_stage": claim.resume_stage},
    )
    webhook_emit(claim=claim, event="plan.accepted", plan=plan.code)
    return plan


def plan_accepted_record(*, plan: PaymentPlan, today: date, ip: str | None) -> None:
    """The plan starts today: payments from today count toward it, and its
    confirmation (with the plan document) goes to the debtor once, after commit.

    ``ip`` is given when the debtor accepted by a click in the portal
    (``claims.security.net.client_ip``): the time and address are kept as
    the proof of the acceptance, printed on the plan document.
    """
    fields: dict[str, Any] = {"accepted_on": today}
    if ip is not None:
        fields |= {"accepted_at": timezone.now(), "accepted_ip": ip or None}
    PaymentPlan.objects.filter(pk=plan.pk).update(**fields)
    for k, v in fields.items():
        setattr(plan, k, v)
    notice_after_commit(Notice("plan_confirmation", plan.claim_id, plan.pk, today))


@transaction.atomic
def plan_signed_online(*, plan: PaymentPlan, ip: str | None) -> bool:
    """The debtor accepts an active plan's terms by a click in the portal
    (a plan he asked for and the creditor granted). False when already done."""
    won = PaymentPlan.objects.filter(
        pk=plan.pk, status=PaymentPlan.Status.ACTIVE, accepted_at__isnull=True
    ).update(accepted_at=timezone.now(), accepted_ip=ip or None)
    if won != 1:
        return False
    plan.refresh_from_db(fields=["accepted_at", "accepted_ip"])
    claim = Claim.objects.get(pk=plan.claim_id)
    Claim.objects.filter(pk=claim.pk).update(has_debtor_writing=True)
    event_record(
        claim=claim,
        kind=Event.Kind.PLAN,
        actor_label="débiteur",
        message="Conditions du plan d'apurement acceptées en ligne par le débiteur",
        data={"plan": str(plan.code), "ip": ip or ""},
    )
    return True


@transaction.atomic
def plan_signed_record(
    *, plan: PaymentPlan, actor: AbstractBaseUser | None = None
) -> Claim:
    """Record the plan signed and sent back by the debtor (a writing from him)."""
    claim = Claim.objects.select_for_update().get(pk=plan.claim_id)
    Claim.objects.filter(pk=claim.pk).update(has_debtor_writing=True)
    claim.has_debtor_writing = True
    event_record(
        claim=claim,
        kind=Event.Kind.PLAN,
        actor=actor,
        message=said(gettext_noop("Plan d'apurement signé par le débiteur reçu")),
        data={"plan": str(plan.code)},
    )
    return claim


@transaction.atomic
def plan_decline(
    *,
    plan: PaymentPlan,
    reason: str = "",
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
) -> PaymentPlan:
    """Decline a proposed or requested plan; collection goes on where it was."""
    _decide(plan, PaymentPlan.Status.DECLINED)
    event_record(
        claim=plan.claim,
        kind=Event.Kind.PLAN,
        actor=actor,
        actor_label=actor_label,
        message=said(gettext_noop("Plan d'apurement refusé : %s"), reason)
        if reason
        else said(gettext_noop("Plan d'apurement refusé")),
        data={"plan": str(plan.code)},
    )
    return plan


@transaction.atomic
def plan_counter_propose(
    *,
    plan: PaymentPlan,
    instalments: list[InstalmentSpec],
    note: str = "",
    actor: AbstractBaseUser | None = None,
) -> PaymentPlan:
    """Decline ``plan`` and propose other instalments instead (a new plan)."""
    _decide(plan, PaymentPlan.Status.DECLINED)
    return plan_propose(
        claim=plan.claim,
        instalments=instalments,
        grace_days=plan.grace_days,
        note=note or "Contre-proposition",
        actor=actor,
    )


def plan_instalments(*, plan: PaymentPlan) -> list[InstalmentSpec]:
    """The plan's schedule as values (for the letters helper's plan document)."""
    return [
        InstalmentSpec(due_on=d, amount=a)
        for d, a in plan.instalments.order_by("due_on").values_list("due_on", "amount")
    ]


def plans_check(
    *, today: date, creditor_ids: list[int] | None = None
) -> dict[str, list[int]]:
    """Daily check of active plans, set-based (3 reads whatever the number of plans).

    Payments made since the plan was accepted cover instalments in date order.
    A plan with an instalment uncovered after its grace period is BROKEN: the
    claim returns to its ``resume_stage`` (amicable when unknown) and an event is
    written. A fully covered plan is COMPLETED. Returns the plan ids per outcome.
    """
    active = PaymentPlan.objects.filter(status=PaymentPlan.Status.ACTIVE)
    if creditor_ids is not None:
        active = active.filter(creditor_id__in=creditor_ids)
    plans = list(
        active.values_list(
            "pk", "claim_id", "grace_days", "accepted_on", "created_at", "creditor_id"
        )
    )
    if not plans:  # the usual case: one query, no transaction
        return {"broken": [], "completed": []}
    with transaction.atomic():
        return _plans_settle(plans, today)


def _plans_settle(plans: list[tuple], today: date) -> dict[str, list[int]]:
    schedule: dict[int, list[InstalmentSpec]] = {}
    for plan_id, due_on, amount in Instalment.objects.filter(
        plan_id__in=[p[0] for p in plans]
    ).values_list("plan_id", "due_on", "amount"):
        schedule.setdefault(plan_id, []).append(InstalmentSpec(due_on, amount))
    payments: dict[int, list[tuple[date, Decimal]]] = {}
    for claim_id, on, amount in (
        Payment.objects.filter(claim_id__in={p[1] for p in plans})
        .values("claim_id", "date")
        .annotate(total=Sum("amount", output_field=_MONEY))
        .values_list("claim_id", "date", "total")
    ):
        payments.setdefault(claim_id, []).append((on, amount))
    broken, completed, events = [], [], []
    for plan_id, claim_id, grace, accepted_on, created_at, creditor_id in plans:
        since = accepted_on or timezone.localdate(created_at)
        # SQLite returns SUM() of decimals through a float: back to cents.
        paid = sum(
            (a for d, a in payments.get(claim_id, []) if d >= since), Decimal("0.00")
        ).quantize(Decimal("0.01"))
        specs = schedule.get(plan_id, [])
        if specs and is_completed(specs, paid):
            completed.append(plan_id)
            continue
        missed = first_missed(specs, paid, today=today, grace_days=grace)
        if missed is not None:
            broken.append((plan_id, claim_id, creditor_id, missed, paid))
    now = timezone.now()
    PaymentPlan.objects.filter(
        pk__in=completed, status=PaymentPlan.Status.ACTIVE
    ).update(status=PaymentPlan.Status.COMPLETED)
    PaymentPlan.objects.filter(
        pk__in=[b[0] for b in broken], status=PaymentPlan.Status.ACTIVE
    ).update(status=PaymentPlan.Status.BROKEN, decided_at=now)
    claim_ids = [b[1] for b in broken]
    # A broken plan, or a completed one that left interest or costs owed:
    # collection resumes where it stood, the remaining steps re-dated from
    # today (their deadlines follow claims.law.calendar when they are sent).
    finished = Claim.objects.filter(
        plans__pk__in=completed, status=Claim.Status.OPEN, balance__gt=0
    ).values_list("pk", flat=True)
    _resume_claims(claim_ids=claim_ids + list(finished), today=today)
    for _plan_id, claim_id, creditor_id, missed, paid in broken:
        events.append(
            Event(
                creditor_id=creditor_id,
                claim_id=claim_id,
                kind=Event.Kind.PLAN,
                actor_label="système",
                message=said(
                    gettext_noop(
                        "Plan d'apurement rompu : échéance du %(d)s (%(a)s) impayée ; reprise du recouvrement"
                    ),
                    d=missed.due_on,
                    a=money(missed.amount),
                ),
                data={"due_on": missed.due_on.isoformat(), "paid": str(paid)},
            )
        )
    Event.objects.bulk_create(events)
    webhook_emit_events(events, {Event.Kind.PLAN: "plan.broken"})
    return {"broken": [b[0] for b in broken], "completed": completed}


def _resume_claims(*, claim_ids: list[int], today: date) -> None:
    """Put claims back to the stage they were in before the plan (state machine)."""
    from claims.engine.collection import claims_stage_set

    rows = Claim.objects.filter(pk__in=claim_ids, stage=Stage.PAYMENT_PLAN).values_list(
        "pk", "creditor_id", "resume_stage"
    )
    claims_stage_set(
        moves=[
            (pk, c, Stage.PAYMENT_PLAN, resume or Stage.AMICABLE)
            for pk, c, resume in rows
        ],
        reason="Fin du plan d'apurement : reprise du recouvrement",
        today=today,
    )


# --------------------------------------------------------------- notices


def _coverage(
    plans: list[tuple[int, int, date | None, Any]],
) -> dict[int, list[tuple[int, date, Decimal, Decimal]]]:
    """Per plan: (instalment id, due on, amount, covered), oldest first.

    ``plans`` = (plan id, claim id, accepted on, created at). Payments dated
    from the acceptance on cover the instalments in date order (3 queries).
    """
    if not plans:
        return {}
    rows: dict[int, list[tuple[int, date, Decimal]]] = {}
    for pk, plan_id, due_on, amount in (
        Instalment.objects.filter(plan_id__in=[p[0] for p in plans])
        .order_by("due_on", "pk")
        .values_list("pk", "plan_id", "due_on", "amount")
    ):
        rows.setdefault(plan_id, []).append((pk, due_on, amount))
    paid_by_claim: dict[int, list[tuple[date, Decimal]]] = {}
    for claim_id, on, amount in (
        Payment.objects.filter(claim_id__in={p[1] for p in plans})
        .values("claim_id", "date")
        .annotate(total=Sum("amount", output_field=_MONEY))
        .values_list("claim_id", "date", "total")
    ):
        paid_by_claim.setdefault(claim_id, []).append((on, amount))
    out = {}
    for plan_id, claim_id, accepted_on, created_at in plans:
        since = accepted_on or timezone.localdate(created_at)
        paid = sum(
            (a for d, a in paid_by_claim.get(claim_id, []) if d >= since),
            Decimal("0.00"),
        ).quantize(Decimal("0.01"))
        specs = rows.get(plan_id, [])
        covered = cover([InstalmentSpec(d, a) for _pk, d, a in specs], paid)
        out[plan_id] = [
            (pk, d, a, c) for (pk, d, a), c in zip(specs, covered, strict=True)
        ]
    return out


def reminder_day(due_on: date, days_before: int, country: str) -> date:
    """The day the reminder of an instalment due on ``due_on`` goes out:
    ``days_before`` days earlier, moved back to a working day of the
    creditor's country (legal-brief §2.2 working days) so it never comes later."""
    day = due_on - timedelta(days=days_before)
    while not is_working_day(day, country):
        day -= timedelta(days=1)
    return day


def plan_notices_due(*, creditor_days: dict[int, date]) -> list[Notice]:
    """What the plans owe the debtors on each creditor's today (set-based).

    - the confirmation of a plan accepted in the last week;
    - a reminder ``Creditor.plan_reminder_days`` before each instalment still
      uncovered (on a working day, see :func:`reminder_day`);
    - a reminder after an instalment missed, during its grace period;
    - the thank-you of a claim closed as paid in the last week.

    Notices already sent are left out by the notifier (one query); each is
    sent at most once (its Message-ID is its identity).
    """
    if not creditor_days:
        return []
    plans = list(
        PaymentPlan.objects.filter(
            status=PaymentPlan.Status.ACTIVE,
            creditor_id__in=list(creditor_days),
            claim__status=Claim.Status.OPEN,
        ).values_list(
            "pk",
            "claim_id",
            "accepted_on",
            "created_at",
            "creditor_id",
            "grace_days",
            "creditor__country",
            "creditor__plan_reminder_days",
            "creditor__emails_on_non_working_days",
        )
    )
    coverage = _coverage([p[:4] for p in plans])
    notices: list[Notice] = []
    for row in plans:
        plan_id, claim_id, accepted_on, created_at, creditor_id, grace = row[:6]
        country, lead, any_day = row[6:]
        today = creditor_days[creditor_id]
        accepted = accepted_on or timezone.localdate(created_at)
        if today <= accepted + timedelta(days=7):
            notices.append(Notice("plan_confirmation", claim_id, plan_id, today))
        if not (any_day or is_working_day(today, country)):
            continue
        for pk, due_on, amount, covered in coverage.get(plan_id, []):
            if covered >= amount:
                continue
            if (
                lead
                and accepted < reminder_day(due_on, lead, country) <= today <= due_on
            ):
                notices.append(Notice("plan_reminder", claim_id, pk, today))
            if due_on < today <= due_on + timedelta(days=grace):
                notices.append(Notice("plan_missed", claim_id, pk, today))
    since = min(creditor_days.values()) - timedelta(days=7)
    for claim_id, creditor_id in Claim.objects.filter(
        creditor_id__in=list(creditor_days),
        status=Claim.Status.CLOSED,
        closed_reason=ClosedReason.PAID,
        closed_on__gte=since,
    ).values_list("pk", "creditor_id"):
        notices.append(
            Notice("thank_you", claim_id, claim_id, creditor_days[creditor_id])
        )
    return notices


def notices_send(notices: list[Notice]) -> int:
    """Hand the notices to the registered notifier; a failure stays the
    notice's own (logged, tried again by the next tick), never the run's."""
    notifier = get_notifier()
    if notifier is None or not notices:
        return 0
    return notifier(notices)


def notice_after_commit(notice: Notice) -> None:
    """Send ``notice`` right after the transaction commits (a Celery task);
    the tick sends it later if this did not (:func:`plan_notices_due`)."""
    from claims.engine.tasks import notice_send_task

    transaction.on_commit(
        lambda: notice_send_task.delay(
            notice.kind, notice.claim_id, notice.subject_id, notice.today.isoformat()
        )
    )
