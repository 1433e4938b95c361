"""Delivery of what the engine decided, and messages sent outside it."""

from __future__ import annotations

import mimetypes
import smtplib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils import translation

from claims.execution import Delivery
from claims.execution import DeliveryResult
from claims.execution import TwoPhaseDeliverer
from claims.law.calendar import message_deadline
from claims.models import Action
from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Event
from claims.services import event_record
from claims.statements import claim_statement
from letters.context import PDF_TEMPLATES
from letters.context import creditor_identity
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
from letters.services import letter_context_for
from letters.services import letter_language
from letters.services import letter_render
from letters.services import parties_for

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


@dataclass
class Outgoing:
    """A message prepared (rows written and committed), not sent yet."""

    email: Any  # EmailMultiAlternatives, or None for post only
    record: OutboundMessage | None
    claims: list[Claim]
    documents: list[Document]
    spec: EmailSpec | None = None


def deliver_prepare(delivery: Delivery) -> Outgoing | DeliveryResult:
    """Phase 1, in the engine's intent transaction (committed before sending).

    Builds ONE email to the debtor for all the claims of the delivery,
    renders and archives each claim's PDF when its step goes by post or asks
    for the PDF, attaches invoices when asked, and writes the OutboundMessage
    (queued, Message-ID derived from the actions and the attempt).
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
    claims = [a.claim for a in actions]
    lang = letter_language(actions[0].claim)
    channels = {a.step.channel for a in actions}
    recipients = debtor_recipients(debtor)
    if channels & set(EMAIL_CHANNELS) and not recipients:
        return DeliveryResult(
            delivered=False, error="debtor has no e-mail address", permanent=True
        )
    documents, attachments = _delivery_documents(actions, lang, delivery.today)
    if not channels & set(EMAIL_CHANNELS):
        return Outgoing(email=None, record=None, claims=claims, documents=documents)
    kind = max((a.step.kind for a in actions), key=_kind_rank)
    spec = EmailSpec(
        template=email_template_name(actions[0].step.template, kind),
        kind=kind,
        language=lang,
        creditor_name=creditor.trade_name or creditor.legal_name,
        sender_email="",
        reply_to=creditor.reply_to or creditor.email,
        to=recipients,
        claims=[
            _claim_line(a.claim, delivery.today, True, a.step, lang) for a in actions
        ],
        identity=_identity(actions[0].claim, lang),
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
        portal_url=portal_url(debtor, claims),
        attachments=attachments,
    )
    return message_prepare(
        spec=spec,
        creditor=creditor,
        debtor=debtor,
        claims=claims,
        actions=actions,
        documents=documents,
        message_id=delivery.message_id(),
    )


def deliver_send(delivery: Delivery, out: Outgoing) -> DeliveryResult:
    """Phase 2, under the claims' locks, right after the engine's re-check."""
    if out.email is None:  # post only: the letters are printed from the archive
        _documents_sent(out.documents)
        return DeliveryResult(
            delivered=True,
            channel="post",
            document_ids=tuple(d.pk for d in out.documents),
        )
    return message_send(out)


def deliver_cancel(delivery: Delivery, out: Outgoing) -> None:
    """A payment, dispute or pause stopped the prepared message before it left."""
    if out.record is not None:
        out.record.status = OutboundMessage.Status.CANCELLED
        out.record.error = "Annulé avant l'envoi : la créance a changé."
        out.record.save(update_fields=["status", "error"])


def deliver_settle(action_ids: list[int], sent: bool) -> None:
    """The owner decided an uncertain send: it left (confirmed) or is resent."""
    ids = set(
        OutboundMessage.objects.filter(
            actions__pk__in=action_ids, status=OutboundMessage.Status.QUEUED
        ).values_list("pk", flat=True)
    )
    records = OutboundMessage.objects.filter(pk__in=ids)
    if sent:
        now = timezone.now()
        Document.objects.filter(messages__in=records, sent_at__isnull=True).update(
            sent_at=now
        )
        records.update(status=OutboundMessage.Status.SENT, sent_at=now)
    else:
        records.update(
            status=OutboundMessage.Status.CANCELLED,
            error="Envoi incertain, renvoyé à la demande du créancier.",
        )


deliver = TwoPhaseDeliverer(
    prepare=deliver_prepare,
    send=deliver_send,
    cancel=deliver_cancel,
    settle=deliver_settle,
)


def _documents_sent(documents: list[Document]) -> None:
    if documents:
        Document.objects.filter(
            pk__in=[d.pk for d in documents], sent_at__isnull=True
        ).update(sent_at=timezone.now())


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else 0


def debtor_recipients(debtor: Debtor) -> list[str]:
    """The debtor's address plus its billing contacts, without duplicates."""
    emails = [debtor.email] if debtor.email else []
    for contact in debtor.contacts.all():
        if contact.email and contact.email not in emails:
            emails.append(contact.email)
    return emails


def _identity(claim: Claim, lang: str) -> list[tuple[str, str]]:
    with translation.override(lang):
        return creditor_identity(parties_for(claim))


def _claim_line(
    claim: Claim,
    at: date,
    demanded_only: bool = False,
    step: Any = None,
    lang: str = "",
) -> ClaimLine:
    # demanded_only: a reminder lists only the invoices already due.
    statement = claim_statement(claim=claim, at=at, demanded_only=demanded_only)
    letter = None
    if step is not None:  # what the step's letter says (deadline, amount, mentions)
        kind = step.kind if step.kind in PDF_TEMPLATES else "reminder"
        letter = letter_context_for(
            claim=claim,
            kind=kind,
            language=lang,
            at=at,
            channel=step.channel,
            deadline_days=step.deadline_days,
        )
    reference = (
        format_ogm(claim.structured_reference)
        if claim.creditor.country == "BE"
        else (claim.structured_reference or claim.reference)
    )
    return ClaimLine(
        reference=claim.reference,
        payment_reference=reference,
        statement=statement,
        letter=letter,
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


def message_prepare(
    *,
    spec: EmailSpec,
    creditor: Creditor,
    debtor: Debtor,
    claims: list[Claim],
    actions: list[Action] | tuple[()] = (),
    documents: list[Document] | tuple[()] = (),
    message_id: str = "",
) -> Outgoing:
    """Build one email and write its OutboundMessage (queued), not sent yet."""
    email = email_build(spec)
    if message_id:
        email.extra_headers["Message-ID"] = message_id
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
    return Outgoing(email, record, list(claims), list(documents), spec)


def message_send(out: Outgoing) -> DeliveryResult:
    """Send a prepared email, mark it sent and note it on each claim."""
    from django.core.mail import mailers

    record, spec = out.record, out.spec
    handed_over: list[bool] = []
    try:
        connection = mailers.default
        connection.open()
        _watch_data(connection, handed_over)
        try:
            connection.send_messages([out.email])
        finally:
            connection.close()
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        if handed_over and not isinstance(exc, smtplib.SMTPResponseException):
            # Lost during DATA, before the server's answer: it may hold the
            # message. Never retried by itself (docs/reliability.md).
            return _message_uncertain(record, out.documents, exc)
        # ValueError: an address the mailer cannot encode — refused before any
        # byte left: a permanent failure shown on the claim, not a crashed run.
        return _message_failed(record, out.claims, exc, out.documents)
    record.status = OutboundMessage.Status.SENT
    record.sent_at = timezone.now()
    record.save(update_fields=["status", "sent_at"])
    _documents_sent(out.documents)
    for claim in out.claims:
        event_record(
            claim=claim,
            kind=Event.Kind.EMAIL,
            message=f"E-mail envoyé à {', '.join(spec.to)} : {out.email.subject}"[:500],
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
        document_ids=tuple(d.pk for d in out.documents),
        message_id=record.message_id,
    )


def _watch_data(connection: Any, handed_over: list[bool]) -> None:
    """Note when the SMTP DATA phase starts (smtplib backends only)."""
    smtp = getattr(connection, "connection", None)
    data = getattr(smtp, "data", None)
    if data is None:
        return

    def watched(msg: Any) -> Any:
        handed_over.append(True)
        return data(msg)

    smtp.data = watched


def _message_uncertain(
    record: OutboundMessage, documents: list[Document], exc: BaseException
) -> DeliveryResult:
    record.error = f"Envoi incertain : {exc}"[:2000]
    record.save(update_fields=["error"])  # stays queued until the owner decides
    return DeliveryResult(
        delivered=False,
        channel="email",
        document_ids=tuple(d.pk for d in documents),
        message_id=record.message_id,
        error=f"{type(exc).__name__}: {exc}"[:500],
        uncertain=True,
    )


def message_send_now(
    *,
    spec: EmailSpec,
    creditor: Creditor,
    debtor: Debtor,
    claims: list[Claim],
    actions: list[Action] | tuple[()] = (),
    documents: list[Document] | tuple[()] = (),
) -> DeliveryResult:
    """Send one email now, log it (OutboundMessage) and note it on each claim."""
    return message_send(
        message_prepare(
            spec=spec,
            creditor=creditor,
            debtor=debtor,
            claims=claims,
            actions=actions,
            documents=documents,
        )
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
