"""What the debtor's answers change: visits, "I have paid", disputes, plan requests,
and the creditor's replies. Every change writes an event on the claim's timeline.

``claims.money_in.bank.payment_declared`` and ``claims.engine.collection
.dispute_open`` are provided by other areas; until they are merged the local
fallbacks below do the same thing (pause five days / conditional stage UPDATE).
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from claims.engine.plans import plan_accepted_record
from claims.ledger.services import InvoiceData
from claims.ledger.services import event_record
from claims.ledger.services import invoice_add
from claims.ledger.services import payment_check
from claims.ledger.timeline import amount as money
from claims.ledger.timeline import choice
from claims.ledger.timeline import said
from claims.ledger.webhooks import webhook_emit
from claims.models import Claim
from claims.models import Dispute
from claims.models import Event
from claims.models import Instalment
from claims.models import InvoiceKind
from claims.models import PaymentPlan
from claims.models import PortalToken
from claims.models import Stage
from letters.portal.plans import split_instalments

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.core.files.uploadedfile import UploadedFile

DEBTOR = "débiteur"
PAUSE_DAYS_AFTER_DECLARATION = 5
# A declaration pauses reminders only when it is plausible and not a pattern:
# a payment made in the last 30 days (an older one is on the bank statements
# already), for at least a tenth of what is due, and one pause per 60 days.
DECLARATION_MAX_AGE_DAYS = 30
DECLARATION_MIN_SHARE = Decimal("0.10")
DECLARATION_PAUSE_WINDOW_DAYS = 60
VISIT_EVENT_EVERY = 3600  # seconds: one "visit" event per token and claim per hour
# Stages a dispute or a plan may interrupt (never judicial nor closed).
_INTERRUPTIBLE = (Stage.AMICABLE, Stage.FORMAL_NOTICE, Stage.PAUSED, Stage.PAYMENT_PLAN)


def portal_visit_record(*, token: PortalToken, claim: Claim, page: str) -> bool:
    """Log a portal visit on the timeline, at most once per hour per token and claim.

    Returns False when throttled (a visit was already logged within the hour).
    """
    if not cache.add(f"portal:visit:{token.pk}:{claim.pk}", 1, VISIT_EVENT_EVERY):
        return False
    PortalToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    event_record(
        claim=claim,
        kind=Event.Kind.PORTAL,
        actor_label=DEBTOR,
        message=said(gettext_noop("Le débiteur a consulté le portail (%s)"), page),
        data={"short_code": token.short_code, "page": page},
    )
    return True


def portal_document_downloaded(*, token: PortalToken, claim: Claim, title: str) -> None:
    event_record(
        claim=claim,
        kind=Event.Kind.PORTAL,
        actor_label=DEBTOR,
        message=said(gettext_noop("Le débiteur a téléchargé « %s »"), title),
        data={"short_code": token.short_code},
    )


def _alert_creditor(*, claim: Claim, what: str) -> None:
    """Email the creditor after commit (a failed email never undoes the answer)."""
    to = claim.creditor.reply_to or claim.creditor.email
    url = settings.SITE_URL + "/p/manage/"
    subject = f"[{claim.reference}] {what}"
    body = f"{what}\n{claim.debtor} — {claim.reference}\n\n{url}\n"
    transaction.on_commit(
        lambda: send_mail(subject, body, None, [to], fail_silently=True)
    )


def _store(upload: UploadedFile | None, folder: str) -> str:
    """Save a validated upload under MEDIA_ROOT (served only through checked views)."""
    if upload is None:
        return ""
    return default_storage.save(f"portal/{folder}/{upload.name}", upload)


@transaction.atomic
def portal_payment_declared(
    *,
    token: PortalToken,
    claim: Claim,
    paid_on: date,
    amount: Decimal,
    today: date,
    proof: UploadedFile | None = None,
) -> Claim:
    """The debtor says they paid: reminders pause five days while the bank confirms.

    Nothing enters the payment ledger; only a bank line or the creditor does that.
    The pause never shortens an existing, longer one.
    """
    # The ledger's rules (claims.ledger.rules): not in the future, not before
    # the first invoice, a real amount — refused with a message on the field.
    amount = payment_check(
        claim=claim, amount=amount, on=paid_on, today=today, field_on="paid_on"
    )
    refusal, earlier = _declaration_pause_refusal(
        claim=claim, paid_on=paid_on, amount=amount, today=today
    )
    until = today + timedelta(days=PAUSE_DAYS_AFTER_DECLARATION)
    if refusal is None:
        Claim.objects.filter(pk=claim.pk).filter(
            Q(paused_until__isnull=True) | Q(paused_until__lt=until)
        ).update(paused_until=until, updated_at=timezone.now())
        outcome = said(gettext_noop("relances suspendues jusqu'au %s"), until)
    else:
        outcome = said(gettext_noop("relances maintenues (%s)"), refusal)
    path = _store(proof, f"proofs/{claim.code}")
    event_record(
        claim=claim,
        kind=Event.Kind.PORTAL,
        actor_label=DEBTOR,
        message=said(
            gettext_noop("Le débiteur déclare avoir payé %(a)s le %(d)s ; %(o)s"),
            a=money(amount, claim.currency),
            d=paid_on,
            o=outcome,
        ),
        data={
            "declared_payment": str(amount),
            "paid_on": paid_on.isoformat(),
            "paused_until": until.isoformat() if refusal is None else None,
            "pause_refused": refusal or "",
            "declarations_60_days": earlier + 1,
            "proof": path,
            "proof_name": path.rsplit("/", 1)[-1],
        },
    )
    what = "Paiement déclaré par le débiteur"
    if refusal is not None:
        what += f" — {earlier + 1} déclaration(s) en 60 jours, {refusal}"
    _alert_creditor(claim=claim, what=what)
    claim.refresh_from_db(fields=["paused_until"])
    return claim


def _declaration_pause_refusal(
    *, claim: Claim, paid_on: date, amount: Decimal, today: date
) -> tuple[str | None, int]:
    """(why the declaration does not pause reminders or None, earlier
    declarations on this claim in the last 60 days). The creditor sees both."""
    since = timezone.now() - timedelta(days=DECLARATION_PAUSE_WINDOW_DAYS)
    earlier = list(
        Event.objects.filter(
            claim=claim,
            kind=Event.Kind.PORTAL,
            at__gte=since,
            data__has_key="declared_payment",
        ).values_list("data", flat=True)
    )
    if (today - paid_on).days > DECLARATION_MAX_AGE_DAYS:
        return "paiement déclaré de plus de 30 jours", len(earlier)
    due = claim.balance
    if due > 0 and amount < (due * DECLARATION_MIN_SHARE).quantize(Decimal("0.01")):
        return "montant inférieur à 10 % du solde", len(earlier)
    if any(d.get("paused_until") for d in earlier):
        return "une pause a déjà été accordée ces 60 derniers jours", len(earlier)
    return None, len(earlier)


def _stage_enter(
    *, claim: Claim, to: str, reason: str, actor: AbstractBaseUser | None = None
) -> bool:
    """Move the claim to the side stage ``to`` through the engine's state machine.

    False when the claim's stage does not allow it (already there, closed…):
    nothing changes then.
    """
    from claims.engine.collection import claim_transition
    from claims.engine.stages import TransitionError

    fresh = Claim.objects.only("stage").get(pk=claim.pk)
    if fresh.stage == to or fresh.stage not in _INTERRUPTIBLE:
        return False
    try:
        claim_transition(
            claim_id=claim.pk,
            to=to,
            actor=actor,
            reason=reason,
            expected_stage=fresh.stage,
        )
    except TransitionError:
        return False
    claim.refresh_from_db(fields=["stage", "resume_stage"])
    return True


def dispute_stage_enter(*, claim: Claim) -> bool:
    """Move the claim to "disputed", remembering where to resume."""
    return _stage_enter(
        claim=claim,
        to=Stage.DISPUTED,
        reason="Créance contestée : étapes automatiques suspendues",
    )


@transaction.atomic
def portal_dispute_open(
    *,
    token: PortalToken,
    claim: Claim,
    reason: str,
    invoice_id: int | None = None,
    amount: Decimal | None = None,
    attachment: UploadedFile | None = None,
) -> Dispute:
    """Record the debtor's dispute (whole claim, one invoice or an amount) and stop
    automatic steps by moving the claim to the "disputed" stage."""
    invoice = claim.invoices.filter(pk=invoice_id).first() if invoice_id else None
    if invoice_id and invoice is None:
        raise ValidationError("invoice not in claim")
    dispute = Dispute(
        creditor_id=claim.creditor_id,
        claim=claim,
        invoice=invoice,
        amount=amount,
        reason=reason,
        source="portal",
    )
    if attachment is not None:
        dispute.attachment.save(attachment.name, attachment, save=False)
    dispute.full_clean(exclude=["claim", "creditor", "invoice"])
    dispute.save()
    scope = f"facture {invoice.number}" if invoice else "toute la créance"
    if amount is not None:
        scope += f", {amount} {claim.currency}"
    event_record(
        claim=claim,
        kind=Event.Kind.DISPUTE,
        actor_label=DEBTOR,
        message=said(
            gettext_noop("Contestation via le portail (%(s)s) : %(r)s"),
            s=scope,
            r=reason,
        ),
        data={"dispute": str(dispute.code), "short_code": token.short_code},
    )
    _alert_creditor(claim=claim, what="Contestation reçue via le portail")
    dispute_stage_enter(claim=claim)
    webhook_emit(
        claim=claim, event="dispute.opened", dispute=dispute.code, reason=reason
    )
    return dispute


def _instalments_replace(
    plan: PaymentPlan, schedule: list[tuple[date, Decimal]]
) -> None:
    plan.instalments.all().delete()
    Instalment.objects.bulk_create(
        Instalment(plan=plan, due_on=day, amount=amount) for day, amount in schedule
    )


@transaction.atomic
def portal_plan_request(
    *,
    token: PortalToken,
    claim: Claim,
    total: Decimal,
    count: int,
    first_on: date,
    today: date,
    note: str = "",
) -> PaymentPlan:
    """The debtor asks to pay ``total`` in ``count`` monthly instalments from
    ``first_on``. The creditor decides; nothing stops until then except that an
    open request is shown on the dashboard."""
    if first_on < today or first_on > today + timedelta(days=60):
        raise ValidationError("first instalment must be within 60 days")
    schedule = split_instalments(total, count, first_on)
    plan = PaymentPlan.objects.create(
        creditor_id=claim.creditor_id,
        claim=claim,
        status=PaymentPlan.Status.REQUESTED,
        requested_by_debtor=True,
        note=note,
    )
    _instalments_replace(plan, schedule)
    event_record(
        claim=claim,
        kind=Event.Kind.PLAN,
        actor_label=DEBTOR,
        message=said(
            gettext_noop(
                "Demande de plan via le portail : %(n)s mensualités à partir du %(d)s (%(t)s)"
            ),
            n=count,
            d=first_on,
            t=money(total, claim.currency),
        ),
        data={
            "plan": str(plan.code),
            "instalments": [[d.isoformat(), str(a)] for d, a in schedule],
        },
    )
    _alert_creditor(claim=claim, what="Demande de plan d'apurement")
    return plan


# --- the creditor's answers -------------------------------------------------


def _stage_resume_after_dispute(*, claim: Claim, actor: AbstractBaseUser) -> None:
    """Leave "disputed" once no dispute is open any more (engine state machine)."""
    from claims.engine.collection import claim_transition
    from claims.engine.stages import TransitionError

    if Dispute.objects.filter(claim=claim, status=Dispute.Status.OPEN).exists():
        return
    fresh = Claim.objects.only("stage", "resume_stage").get(pk=claim.pk)
    if fresh.stage != Stage.DISPUTED:
        return
    try:
        claim_transition(
            claim_id=claim.pk,
            to=fresh.resume_stage or Stage.AMICABLE,
            actor=actor,
            reason="Contestation traitée : reprise du recouvrement",
            expected_stage=Stage.DISPUTED,
        )
    except TransitionError:
        return


@transaction.atomic
def dispute_answer(
    *,
    dispute: Dispute,
    decision: str,
    answer: str,
    actor: AbstractBaseUser,
    credit_amount: Decimal | None = None,
) -> Dispute:
    """Accept, reject (with an explanation) or settle a dispute by a credit note.

    Returns the dispute; raises ValidationError if it was already answered.
    """
    if decision not in (
        Dispute.Status.ACCEPTED,
        Dispute.Status.REJECTED,
        Dispute.Status.CREDITED,
    ):
        raise ValidationError("unknown decision")
    if decision == Dispute.Status.REJECTED and not answer.strip():
        raise ValidationError("a rejection needs an explanation")
    won = Dispute.objects.filter(pk=dispute.pk, status=Dispute.Status.OPEN).update(
        status=decision, answer=answer, resolved_at=timezone.now()
    )
    if won != 1:
        raise ValidationError("dispute already answered")
    dispute.refresh_from_db()
    claim = dispute.claim
    if decision == Dispute.Status.CREDITED:
        amount = (
            credit_amount
            or dispute.amount
            or (dispute.invoice.amount if dispute.invoice else None)
        )
        if not amount or amount <= 0:
            raise ValidationError("a credit note needs an amount")
        invoice_add(
            claim=claim,
            data=InvoiceData(
                number=f"NC-{str(dispute.code)[:8].upper()}",
                issue_date=timezone.localdate(),
                due_date=timezone.localdate(),
                amount=amount,
                kind=InvoiceKind.CREDIT_NOTE,
                description=f"Contestation {dispute.invoice or claim.reference}",
                # Capped by what remains on the disputed invoice (ledger rules).
                credited_invoice_id=dispute.invoice_id,
            ),
            actor=actor,
        )
    event_record(
        claim=claim,
        kind=Event.Kind.DISPUTE,
        actor=actor,
        message=said(
            gettext_noop("Réponse à la contestation (%(s)s) : %(a)s"),
            s=choice(dispute, "status"),
            a=answer,
        ),
        data={"dispute": str(dispute.code), "decision": decision},
    )
    _stage_resume_after_dispute(claim=claim, actor=actor)
    return dispute


@transaction.atomic
def plan_answer(
    *,
    plan: PaymentPlan,
    decision: str,
    actor: AbstractBaseUser,
    note: str = "",
    count: int | None = None,
    first_on: date | None = None,
) -> PaymentPlan:
    """accept → active (claim enters the payment-plan stage); decline; or counter
    (``count``/``first_on``) → proposed, for the debtor to accept on the portal."""
    targets = {
        "accept": PaymentPlan.Status.ACTIVE,
        "decline": PaymentPlan.Status.DECLINED,
        "counter": PaymentPlan.Status.PROPOSED,
    }
    if decision not in targets:
        raise ValidationError("unknown decision")
    won = PaymentPlan.objects.filter(
        pk=plan.pk, status=PaymentPlan.Status.REQUESTED
    ).update(
        status=targets[decision], decided_at=timezone.now(), note=note or plan.note
    )
    if won != 1:
        raise ValidationError("plan already answered")
    plan.refresh_from_db()
    if decision == "counter":
        if not count or not first_on:
            raise ValidationError("a counter-proposal needs instalments and a date")
        total = sum((i.amount for i in plan.instalments.all()), Decimal("0.00"))
        _instalments_replace(plan, split_instalments(total, count, first_on))
    if decision == "accept":
        _plan_stage_enter(claim=plan.claim, actor=actor, plan=plan)
        plan_accepted_record(plan=plan, today=_creditor_today(plan), ip=None)
    event_record(
        claim=plan.claim,
        kind=Event.Kind.PLAN,
        actor=actor,
        message=said(
            gettext_noop("Plan d'apurement : %(s)s. %(n)s"),
            s=choice(plan, "status"),
            n=note,
        ),
        data={"plan": str(plan.code), "decision": decision},
    )
    return plan


@transaction.atomic
def portal_plan_accept_counter(
    *, token: PortalToken, plan: PaymentPlan, ip: str | None = None
) -> bool:
    """The debtor accepts the creditor's counter-proposal: the plan becomes active,
    the click recorded with its time and IP address (proof of acceptance)."""
    won = PaymentPlan.objects.filter(
        pk=plan.pk, status=PaymentPlan.Status.PROPOSED
    ).update(status=PaymentPlan.Status.ACTIVE, decided_at=timezone.now())
    if won != 1:
        return False
    _plan_stage_enter(claim=plan.claim, actor=None, plan=plan)
    plan_accepted_record(plan=plan, today=_creditor_today(plan), ip=ip or "")
    event_record(
        claim=plan.claim,
        kind=Event.Kind.PLAN,
        actor_label=DEBTOR,
        message=said(
            gettext_noop(
                "Le débiteur accepte la contre-proposition de plan d'apurement"
            )
        ),
        data={"plan": str(plan.code), "short_code": token.short_code, "ip": ip or ""},
    )
    return True


def _creditor_today(plan: PaymentPlan) -> date:
    from claims.ledger.statements import creditor_today

    return creditor_today(plan.claim.creditor)


def _plan_stage_enter(
    *, claim: Claim, actor: AbstractBaseUser | None, plan: PaymentPlan
) -> None:
    webhook_emit(claim=claim, event="plan.accepted", plan=plan.code)
    _stage_enter(
        claim=claim,
        to=Stage.PAYMENT_PLAN,
        actor=actor,
        reason="Plan d'apurement en cours : relances remplacées par les échéances",
    )
