"""What the debtor's answers change: visits, "I have paid", disputes, plan requests,
and the creditor's replies. Every change writes an event on the claim's timeline.

"I have paid" is ``claims.money_in.declarations.payment_declared`` and a plan
request ``claims.engine.plans.plan_request``, the services the back-office
uses too; this module adds what is the portal's own (the proof's file, the
creditor's e-mail).
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
from django.utils import timezone
from django.utils.translation import gettext_noop

from claims.engine.plans import plan_accepted_record
from claims.engine.plans import plan_request
from claims.law.plans import MAX_INSTALMENTS
from claims.law.plans import InstalmentSpec
from claims.law.plans import split_amount
from claims.ledger.services import InvoiceData
from claims.ledger.services import event_record
from claims.ledger.services import invoice_add
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
from claims.money_in.declarations import payment_declared

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.core.files.uploadedfile import UploadedFile

DEBTOR = "débiteur"
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


def portal_payment_declared(
    *,
    token: PortalToken,
    claim: Claim,
    paid_on: date,
    amount: Decimal,
    today: date,
    proof: UploadedFile | None = None,
) -> Claim:
    """The debtor says they paid (``claims.money_in.declarations.payment_declared``,
    the one rule): the proof is stored and the creditor alerted."""
    declared = payment_declared(
        claim=claim,
        amount=amount,
        paid_on=paid_on,
        today=today,
        proof=_store(proof, f"proofs/{claim.code}"),
    )
    what = "Paiement déclaré par le débiteur"
    if declared.refusal is not None:
        what += f" — {declared.declarations_60_days} déclaration(s) en 60 jours, {declared.refusal}"
    _alert_creditor(claim=claim, what=what)
    return declared.claim


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


def _instalments_replace(plan: PaymentPlan, specs: list[InstalmentSpec]) -> None:
    plan.instalments.all().delete()
    Instalment.objects.bulk_create(
        Instalment(plan=plan, due_on=s.due_on, amount=s.amount) for s in specs
    )


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
    ``first_on`` (``claims.engine.plans.plan_request``, the one service); the
    creditor is alerted and decides."""
    if first_on < today or first_on > today + timedelta(days=60):
        raise ValidationError("first instalment must be within 60 days")
    if count < 1 or count > MAX_INSTALMENTS:
        raise ValidationError("instalment count out of range")
    plan = plan_request(
        claim=claim, instalments=split_amount(total, count, first_due=first_on), note=note
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
        _instalments_replace(plan, split_amount(total, count, first_due=first_on))
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
