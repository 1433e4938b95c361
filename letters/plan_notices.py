"""Payment plans on the letters side: the plan document, and the notices the
engine owes outside its scenario (plan confirmation, instalment reminders,
thank-you on full payment), each sent exactly once.

Exactly once: a notice's Message-ID is its identity (``Notice.message_id``).
Under the claim's row lock, its OutboundMessage is written (queued) and
committed before any byte leaves — the send intent, as for the engine's
deliveries; a notice whose message is queued, sent or bounced is never sent
again (a queued one left by a lost worker is an uncertain send, shown to the
owner, not retried). Only a refused-for-now (failed) or cancelled one is.
"""

from __future__ import annotations

import logging
from datetime import date
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext_noop

from claims.engine.execution import Notice
from claims.law.plans import InstalmentSpec
from claims.law.plans import cover
from claims.ledger.services import claims_refresh_figures
from claims.ledger.statements import amount_to_pay
from claims.ledger.statements import claim_statement
from claims.ledger.timeline import said
from claims.models import AllocationOrder
from claims.models import Claim
from claims.models import ClosedReason
from claims.models import Instalment
from claims.models import PaymentPlan
from letters.context import Parties
from letters.context import creditor_identity
from letters.context import name_with_form
from letters.delivery import _claim_line
from letters.delivery import debtor_recipients
from letters.delivery import message_prepare
from letters.delivery import message_send
from letters.emails import EmailSpec
from letters.emails import portal_url
from letters.models import Document
from letters.models import OutboundMessage
from letters.payment import payment_reference
from letters.rendering import html_to_pdf
from letters.rendering import render_html
from letters.services import document_archive
from letters.services import letter_language
from letters.services import parties_for

log = logging.getLogger(__name__)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DONE = (
    OutboundMessage.Status.QUEUED,
    OutboundMessage.Status.SENT,
    OutboundMessage.Status.BOUNCED,
)


# --------------------------------------------------------------- the terms


def plan_terms(*, plan: PaymentPlan, at: date) -> dict[str, Any]:
    """What a plan says, in plain values, from the claim's statement on ``at``.

    The instalments' total against the amount due; interest keeps running on
    the unpaid principal at the statement's rate (claims.ledger.statements does not
    stop it during a plan), so what remains after the last instalment is the
    part of today's balance the schedule leaves out plus that interest.
    """
    claim = plan.claim
    statement = claim_statement(claim=claim, at=at)
    schedule = list(plan.instalments.order_by("due_on", "pk"))
    total = sum((i.amount for i in schedule), ZERO)
    due = amount_to_pay(statement)
    rate = statement.interest_periods[-1].rate if statement.interest_periods else None
    per_day = (
        (statement.principal_due * rate / Decimal(36500)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        if rate
        else ZERO
    )
    return {
        "plan": plan,
        "s": statement,
        "schedule": schedule,
        "count": len(schedule),
        "total": total,
        "due_now": due,
        "left_out": max(due - total, ZERO),
        "rate": rate,
        "per_day": per_day,
        # Nothing more is owed once the schedule is paid only when it covers
        # the whole balance and no interest runs.
        "settles": total >= due and not per_day,
        "grace_days": plan.grace_days,
        "last_on": schedule[-1].due_on if schedule else None,
    }


def plan_context(*, plan: PaymentPlan, at: date, language: str) -> dict[str, Any]:
    claim = plan.claim
    parties: Parties = parties_for(claim)
    with translation.override(language or None):
        identity = creditor_identity(parties)
    return {
        **plan_terms(plan=plan, at=at),
        "kind": "plan",
        # art. 5.207 C. civ. BE / 1342-10 C. civ. FR: the creditor's choice.
        "principal_first": claim.creditor.allocation_order
        == AllocationOrder.PRINCIPAL_FIRST,
        "p": parties,
        "at": at,
        "language": language,
        "is_be": parties.creditor_country == "BE",
        "payment_reference": payment_reference(
            country=parties.creditor_country,
            structured_reference=parties.payment_reference,
            claim_reference=parties.claim_reference,
        ),
        # The letterhead of every letter (_base.html): the creditor's identity
        # block, in the debtor's language.
        "identity": identity,
        "creditor_display": name_with_form(
            parties.creditor_legal_name or parties.creditor_name,
            parties.creditor_legal_form,
        ),
    }


def plan_html(*, plan: PaymentPlan, at: date, language: str = "") -> str:
    lang = letter_language(plan.claim, language)
    return render_html(
        "letters/pdf/plan.html",
        plan_context(plan=plan, at=at, language=lang),
        language=lang,
    )


def plan_pdf(*, plan: PaymentPlan, at: date, language: str = "") -> bytes:
    """The plan document (not archived): schedule, total, interest and costs,
    a missed instalment, the acceptance (online click) or signature lines."""
    return html_to_pdf(plan_html(plan=plan, at=at, language=language))


def plan_document_archive(*, plan: PaymentPlan, at: date) -> Document:
    """Render and archive the plan document (SHA-256, never re-rendered); it is
    the debtor's copy, shown in the portal at once."""
    claim = plan.claim
    lang = letter_language(claim)
    short = str(plan.code)[:8]
    return document_archive(
        creditor=claim.creditor,
        claim=claim,
        debtor=claim.debtor,
        kind=Document.Kind.PLAN,
        content=plan_pdf(plan=plan, at=at, language=lang),
        filename=f"plan-{claim.reference}-{short}.pdf",
        title=said(
            gettext_noop("Plan d'apurement %(r)s (%(s)s) — accepté en ligne")
            if plan.accepted_at
            else gettext_noop("Plan d'apurement %(r)s (%(s)s)"),
            r=claim.reference,
            s=short,
        ),
        language=lang,
        sent=True,
    )


def plan_document(*, plan: PaymentPlan, at: date) -> Document:
    """The plan's archived document, archived now if it was not yet."""
    existing = (
        Document.objects.filter(
            claim_id=plan.claim_id,
            kind=Document.Kind.PLAN,
            title__contains=f"({str(plan.code)[:8]})",
        )
        .order_by("-rendered_at")
        .first()
    )
    return existing or plan_document_archive(plan=plan, at=at)


# --------------------------------------------------------------- the notices


def notices_deliver(notices: list[Notice]) -> int:
    """The notifier registered with the engine: sends the notices not sent yet
    (one query to leave them out), each exactly once. Returns how many left."""
    if not notices:
        return 0
    creditor_of = dict(
        Claim.objects.filter(pk__in={n.claim_id for n in notices}).values_list(
            "pk", "creditor_id"
        )
    )
    ids = {
        n: n.message_id(creditor_of[n.claim_id])
        for n in notices
        if n.claim_id in creditor_of
    }
    done = set(
        OutboundMessage.objects.filter(
            message_id__in=list(ids.values()), status__in=DONE
        ).values_list("message_id", flat=True)
    )
    sent = 0
    for notice, message_id in ids.items():
        if message_id in done:
            continue
        try:
            sent += notice_send(notice, message_id)
        except Exception:  # the notice's own failure; the next tick tries again
            log.exception("plan notice %s failed", notice)
    return sent


def plan_confirmation_send(*, claim_id: int, at: date) -> bool:
    """The confirmation of the claim's active plan (sent once)."""
    plan_id = (
        PaymentPlan.objects.filter(claim_id=claim_id, status=PaymentPlan.Status.ACTIVE)
        .values_list("pk", flat=True)
        .first()
    )
    if plan_id is None:
        return False
    return bool(notices_deliver([Notice("plan_confirmation", claim_id, plan_id, at)]))


def notice_send(notice: Notice, message_id: str) -> bool:
    """Phase 1 (committed intent) then phase 2 (send), like the engine's."""
    with transaction.atomic():
        out = _notice_prepare(notice, message_id)
    if out is None:
        return False
    sent = message_send(out).delivered
    if sent:  # the figures shown on the claims list, as of the day it left
        claims_refresh_figures(claim_ids=[notice.claim_id], not_before=notice.today)
    return sent


def _notice_prepare(notice: Notice, message_id: str) -> Any:
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("creditor", "debtor")
        .filter(pk=notice.claim_id)
        .first()
    )
    if (
        claim is None
        or OutboundMessage.objects.filter(
            message_id=message_id, status__in=DONE
        ).exists()
    ):
        return None
    extra, documents = _notice_facts(notice, claim)
    if extra is None:
        return None
    recipients = debtor_recipients(claim.debtor)
    if not recipients:
        return None
    creditor = claim.creditor
    spec = EmailSpec(
        template=notice.kind,
        kind=notice.kind,
        language=letter_language(claim),
        creditor_name=creditor.trade_name or creditor.legal_name,
        sender_email="",
        reply_to=creditor.reply_to or creditor.email,
        to=recipients,
        claims=[_claim_line(claim, notice.today)],
        iban=creditor.iban,
        bic=creditor.bic,
        deadline=extra.get("deadline"),
        portal_url=portal_url(claim.debtor, [claim]),
        attachments=[
            (d.file.name.rsplit("/", 1)[-1].split("-", 1)[-1], _read(d), d.mime_type)
            for d in documents
        ],
        extra=extra,
    )
    return message_prepare(
        spec=spec,
        creditor=creditor,
        debtor=claim.debtor,
        claims=[claim],
        documents=documents,
        message_id=message_id,
    )


def _read(doc: Document) -> bytes:
    with doc.file.open("rb") as fh:
        return fh.read()


def _notice_facts(
    notice: Notice, claim: Claim
) -> tuple[dict[str, Any] | None, list[Document]]:
    """What the notice says, or None when it is no longer due (re-checked
    under the claim's lock: a payment may have come in meanwhile)."""
    if notice.kind == "thank_you":
        paid = (
            claim.status == Claim.Status.CLOSED
            and claim.closed_reason == ClosedReason.PAID
        )
        already = claim.messages.filter(
            template="thank_you", status=OutboundMessage.Status.SENT
        ).exists()
        return ({} if paid and not already else None), []
    if notice.kind == "plan_confirmation":
        plan = (
            PaymentPlan.objects.filter(
                pk=notice.subject_id, claim=claim, status=PaymentPlan.Status.ACTIVE
            )
            .select_related("claim__creditor", "claim__debtor")
            .first()
        )
        if plan is None or claim.status != Claim.Status.OPEN:
            return None, []
        doc = plan_document(plan=plan, at=notice.today)
        terms = plan_terms(plan=plan, at=notice.today)
        return {**terms, "instalments": terms["schedule"]}, [doc]
    instalment = (
        Instalment.objects.filter(
            pk=notice.subject_id,
            plan__claim=claim,
            plan__status=PaymentPlan.Status.ACTIVE,
        )
        .select_related("plan")
        .first()
    )
    if instalment is None or claim.status != Claim.Status.OPEN:
        return None, []
    left = instalment_left(instalment)
    if left <= 0:
        return None, []
    plan = instalment.plan
    return {
        "instalment": instalment,
        "left": left,
        "missed": notice.kind == "plan_missed",
        "grace_days": plan.grace_days,
        "grace_end": instalment.due_on + timedelta(days=plan.grace_days),
        "deadline": instalment.due_on,
    }, []


def instalment_left(instalment: Instalment) -> Decimal:
    """What remains to pay on one instalment (payments since the acceptance
    cover the instalments in date order, claims.law.plans.cover)."""
    plan = instalment.plan
    since = plan.accepted_on or timezone.localdate(plan.created_at)
    paid = sum(
        plan.claim.payments.filter(date__gte=since).values_list("amount", flat=True),
        ZERO,
    )
    rows = list(plan.instalments.order_by("due_on", "pk"))
    covered = cover([InstalmentSpec(i.due_on, i.amount) for i in rows], paid)
    for row, part in zip(rows, covered, strict=True):
        if row.pk == instalment.pk:
            return row.amount - part
    return ZERO
