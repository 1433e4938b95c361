"""Delivery of what the engine decided, and messages sent outside it."""

from __future__ import annotations

import mimetypes
import smtplib
from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils import timezone

from claims.execution import Delivery
from claims.execution import DeliveryResult
from claims.law.calendar import message_deadline
from claims.models import Action
from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Event
from claims.services import event_record
from claims.statements import claim_statement
from letters.context import PDF_TEMPLATES
from letters.emails import ClaimLine
from letters.emails import EmailSpec
from letters.emails import email_build
from letters.emails import email_template_name
from letters.emails import is_permanent
from letters.emails import portal_url
from letters.models import Document
from letters.models import OutboundMessage
from letters.payment import format_ogm
from letters.services import document_archive
from letters.services import letter_language
from letters.services import letter_render

# --- delivery: what the engine decided, sent to the debtor -----------------

POSTAL_CHANNELS = ("post", "email_post", "registered")
EMAIL_CHANNELS = ("email", "email_post", "registered")
DOCUMENT_KIND_FOR_STEP = {
    "pre_due": Document.Kind.PRE_DUE,
    "first_reminder": Document.Kind.REMINDER,
    "reminder": Document.Kind.REMINDER,
    "formal_notice": Document.Kind.FORMAL_NOTICE,
}
KIND_ORDER = ("pre_due", "first_reminder", "reminder", "formal_notice")


def deliver(delivery: Delivery) -> DeliveryResult:
    """The deliverer registered with ``claims.execution``.

    Builds ONE email to the debtor for all the claims of the delivery,
    renders and archives each claim's PDF when its step goes by post or asks
    for the PDF, attaches invoices when asked, logs an OutboundMessage and
    writes EMAIL/DOCUMENT events on each claim. SMTP 5xx → ``permanent``.
    """
    actions = list(
        Action.objects.filter(
            pk__in=delivery.action_ids, creditor_id=delivery.creditor_id
        ).select_related("step", "claim__creditor", "claim__debtor")
    )
    if not actions:
        return DeliveryResult(delivered=False, error="no action", permanent=True)
    debtor = actions[0].claim.debtor
    creditor = actions[0].claim.creditor
    lang = letter_language(actions[0].claim)
    documents, attachments = _delivery_documents(actions, lang, delivery.today)
    channels = {a.step.channel for a in actions}
    if not channels & set(EMAIL_CHANNELS):
        return DeliveryResult(
            delivered=True,
            channel="post",
            document_ids=tuple(d.pk for d in documents),
        )
    recipients = debtor_recipients(debtor)
    if not recipients:
        return DeliveryResult(
            delivered=False, error="debtor has no e-mail address", permanent=True
        )
    kind = max((a.step.kind for a in actions), key=_kind_rank)
    spec = EmailSpec(
        template=email_template_name(actions[0].step.template, kind),
        kind=kind,
        language=lang,
        creditor_name=creditor.trade_name or creditor.legal_name,
        sender_email="",
        reply_to=creditor.reply_to or creditor.email,
        to=recipients,
        claims=[_claim_line(a.claim, delivery.today, True) for a in actions],
        iban=creditor.iban,
        bic=creditor.bic,
        deadline=max(
            message_deadline(
                delivery.today,
                a.step.deadline_days,
                creditor.country,
                kind=a.step.kind,
                debtor_kind=debtor.kind,
                channel=a.step.channel,
            )
            for a in actions
        ),
        portal_url=portal_url(debtor, [a.claim for a in actions]),
        attachments=attachments,
    )
    return message_send_now(
        spec=spec,
        creditor=creditor,
        debtor=debtor,
        claims=[a.claim for a in actions],
        actions=actions,
        documents=documents,
        on_accepted=delivery.on_accepted,
    )


def _send_reporting_acceptance(
    email: Any, message_id: str, on_accepted: Callable[[str], None] | None
) -> None:
    """Send on a connection we hold open, report acceptance, then close it."""
    from django.core.mail import mailers

    connection = mailers.default
    connection.open()
    try:
        sent = connection.send_messages([email])
        if sent and on_accepted is not None:
            on_accepted(message_id)
    finally:
        connection.close()


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else 0


def debtor_recipients(debtor: Debtor) -> list[str]:
    """The debtor's address plus its billing contacts, without duplicates."""
    emails = [debtor.email] if debtor.email else []
    for contact in debtor.contacts.all():
        if contact.email and contact.email not in emails:
            emails.append(contact.email)
    return emails


def _claim_line(claim: Claim, at: date, demanded_only: bool = False) -> ClaimLine:
    # demanded_only: a reminder lists only the invoices already due.
    statement = claim_statement(claim=claim, at=at, demanded_only=demanded_only)
    reference = (
        format_ogm(claim.structured_reference)
        if claim.creditor.country == "BE"
        else (claim.structured_reference or claim.reference)
    )
    return ClaimLine(
        reference=claim.reference, payment_reference=reference, statement=statement
    )


def _delivery_documents(
    actions: list[Action], lang: str, today: date
) -> tuple[list[Document], list[tuple[str, bytes, str]]]:
    documents: list[Document] = []
    attachments: list[tuple[str, bytes, str]] = []
    for action in actions:
        step, claim = action.step, action.claim
        kind = step.kind if step.kind in PDF_TEMPLATES else "reminder"
        if step.channel in POSTAL_CHANNELS or step.attach_pdf:
            pdf = letter_render(
                claim=claim,
                kind=kind,
                language=lang,
                at=today,
                channel=step.channel,
                deadline_days=step.deadline_days,
            )
            filename = f"{kind}-{claim.reference}-{today.isoformat()}.pdf"
            doc = document_archive(
                creditor=claim.creditor,
                claim=claim,
                debtor=claim.debtor,
                kind=DOCUMENT_KIND_FOR_STEP.get(kind, Document.Kind.REMINDER),
                content=pdf,
                filename=filename,
                title=f"{step.get_kind_display()} {claim.reference}",
                language=lang,
                channel=step.channel,
                action_id=action.pk,
                sent=True,
            )
            documents.append(doc)
            attachments.append((filename, pdf, "application/pdf"))
        if step.attach_invoices:
            attachments.extend(_invoice_files(claim))
    return documents, attachments


def _invoice_files(claim: Claim) -> list[tuple[str, bytes, str]]:
    files = []
    for invoice in claim.invoices.all():
        if invoice.attachment:
            with invoice.attachment.open("rb") as fh:
                content = fh.read()
            name = invoice.attachment.name.rsplit("/", 1)[-1]
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            files.append((name, content, mime))
    return files


def message_send_now(
    *,
    spec: EmailSpec,
    creditor: Creditor,
    debtor: Debtor,
    claims: list[Claim],
    actions: list[Action] | tuple[()] = (),
    documents: list[Document] | tuple[()] = (),
    on_accepted: Callable[[str], None] | None = None,
) -> DeliveryResult:
    """Send one email now, log it (OutboundMessage) and note it on each claim.

    ``on_accepted(message_id)`` is called the moment the mail server has
    accepted the message, before the connection is closed, so that the
    engine can record it at once (docs/reliability.md: the window in which a
    killed worker could send twice shrinks to the commit itself).
    """
    email = email_build(spec)
    record = OutboundMessage.objects.create(
        creditor=creditor,
        debtor=debtor,
        template=spec.template,
        subject=email.subject,
        to=spec.to,
        message_id=email.extra_headers["Message-ID"],
        attempts=1,
    )
    # A new record has no links yet: add() skips the SELECT that set() runs
    # first (three queries less per delivery; none for an empty list).
    record.claims.add(*claims)
    record.actions.add(*actions)
    record.documents.add(*documents)
    try:
        _send_reporting_acceptance(email, record.message_id, on_accepted)
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        # ValueError: an address the mailer cannot encode — a permanent failure
        # shown on the claim rather than a crashed run.
        return _message_failed(record, claims, exc, documents)
    record.status = OutboundMessage.Status.SENT
    record.sent_at = timezone.now()
    record.save(update_fields=["status", "sent_at"])
    for claim in claims:
        event_record(
            claim=claim,
            kind=Event.Kind.EMAIL,
            message=f"E-mail envoyé à {', '.join(spec.to)} : {email.subject}"[:500],
            data={
                "message": str(record.code),
                "message_id": record.message_id,
                "to": spec.to,
                "status": record.status,
                "attachments": [a[0] for a in spec.attachments],
            },
        )
    return DeliveryResult(
        delivered=True,
        channel="email",
        document_ids=tuple(d.pk for d in documents),
        message_id=record.message_id,
    )


def _message_failed(
    record: OutboundMessage,
    claims: list[Claim],
    exc: BaseException,
    documents: list[Document] | tuple[()],
) -> DeliveryResult:
    permanent = is_permanent(exc)
    record.status = (
        OutboundMessage.Status.BOUNCED if permanent else OutboundMessage.Status.FAILED
    )
    record.error = str(exc)[:2000]
    record.save(update_fields=["status", "error"])
    for claim in claims:
        event_record(
            claim=claim,
            kind=Event.Kind.EMAIL,
            message=f"E-mail en échec ({record.get_status_display()}) : {exc}"[:500],
            data={"message": str(record.code), "status": record.status},
        )
    return DeliveryResult(
        delivered=False,
        channel="email",
        document_ids=tuple(d.pk for d in documents),
        message_id=record.message_id,
        error=str(exc)[:500],
        permanent=permanent,
    )


# --- messages outside the engine (thank-you, plan confirmation) -------------


class TransientSendError(smtplib.SMTPException):
    """Raised so the Celery task retries (with backoff) a transient failure."""


def claim_email_send(*, claim_id: int, template: str, at: str) -> bool:
    """Send ``template`` (thank_you | plan_confirmation) about one claim.

    Idempotent: returns False without sending when a message with this
    template was already sent for the claim. Raises TransientSendError on a
    transient SMTP failure so the task retries.
    """
    from claims.models import PaymentPlan

    claim = (
        Claim.objects.filter(pk=claim_id).select_related("creditor", "debtor").first()
    )
    if claim is None or template not in ("thank_you", "plan_confirmation"):
        return False
    if claim.messages.filter(
        template=template, status=OutboundMessage.Status.SENT
    ).exists():
        return False
    recipients = debtor_recipients(claim.debtor)
    if not recipients:
        return False
    extra: dict[str, Any] = {}
    if template == "plan_confirmation":
        plan = claim.plans.filter(status=PaymentPlan.Status.ACTIVE).first()
        extra["instalments"] = list(plan.instalments.all()) if plan else []
    creditor = claim.creditor
    spec = EmailSpec(
        template=template,
        kind=template,
        language=letter_language(claim),
        creditor_name=creditor.trade_name or creditor.legal_name,
        sender_email="",
        reply_to=creditor.reply_to or creditor.email,
        to=recipients,
        claims=[_claim_line(claim, date.fromisoformat(at))],
        iban=creditor.iban,
        bic=creditor.bic,
        deadline=None,
        portal_url=portal_url(claim.debtor, [claim]),
        extra=extra,
    )
    result = message_send_now(
        spec=spec, creditor=creditor, debtor=claim.debtor, claims=[claim]
    )
    if not result.delivered and not result.permanent:
        raise TransientSendError(result.error)
    return result.delivered
