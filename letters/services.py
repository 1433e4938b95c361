"""Letters services: render, archive (with proof), deliver."""

from __future__ import annotations

import hashlib
import mimetypes
import smtplib
from datetime import date
from datetime import timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from claims.execution import Delivery
from claims.execution import DeliveryResult
from claims.models import Action
from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Event
from claims.services import event_record
from claims.statements import claim_statement
from letters.context import PDF_TEMPLATES
from letters.context import Parties
from letters.context import letter_context
from letters.emails import ClaimLine
from letters.emails import EmailSpec
from letters.emails import email_build
from letters.emails import email_template_name
from letters.emails import is_permanent
from letters.emails import portal_url
from letters.models import Document
from letters.models import OutboundMessage
from letters.models import TemplateOverride
from letters.payment import format_ogm
from letters.rendering import html_to_pdf
from letters.rendering import render_html

LETTER_LANGUAGES = ("fr", "nl", "en")


def parties_for(claim: Claim) -> Parties:
    """Plain facts about the claim's creditor and debtor, for a letter."""
    c, d = claim.creditor, claim.debtor
    return Parties(
        creditor_name=c.trade_name or c.legal_name,
        creditor_legal_form=c.legal_form,
        creditor_address=tuple(c.address_lines()),
        creditor_country=c.country,
        creditor_enterprise_number=c.enterprise_number,
        creditor_vat=c.vat_number,
        creditor_email=c.reply_to or c.email,
        creditor_phone=c.phone,
        creditor_iban=c.iban,
        creditor_bic=c.bic,
        creditor_city=c.city,
        debtor_name=d.name,
        debtor_address=tuple(d.address_lines()),
        debtor_country=d.country,
        debtor_kind=d.kind,
        debtor_enterprise_number=d.enterprise_number,
        claim_reference=claim.reference,
        payment_reference=claim.structured_reference,
    )


def letter_language(claim: Claim, language: str = "") -> str:
    """The language of the letter: asked, else the debtor's, else French."""
    lang = language or claim.debtor.language or "fr"
    return lang if lang in LETTER_LANGUAGES else "fr"


def letter_html(
    *,
    claim: Claim,
    kind: str,
    language: str = "",
    at: date,
    channel: str = "email",
    deadline_days: int = 15,
) -> str:
    """The HTML of one letter for ``claim`` on ``at`` (amounts from the statement)."""
    lang = letter_language(claim, language)
    override = TemplateOverride.objects.filter(
        creditor_id=claim.creditor_id, template=kind, language=lang
    ).first()
    context = letter_context(
        kind=kind,
        parties=parties_for(claim),
        statement=claim_statement(claim=claim, at=at),
        at=at,
        language=lang,
        channel=channel,
        deadline_days=deadline_days,
        intro=override.body if override else "",
    )
    return render_html(PDF_TEMPLATES[kind], context, language=lang)


def letter_render(
    *,
    claim: Claim,
    kind: str,
    language: str = "",
    at: date,
    channel: str = "email",
    deadline_days: int = 15,
) -> bytes:
    """The PDF bytes of one letter. Not archived: see :func:`document_archive`."""
    return html_to_pdf(
        letter_html(
            claim=claim,
            kind=kind,
            language=language,
            at=at,
            channel=channel,
            deadline_days=deadline_days,
        )
    )


@transaction.atomic
def document_archive(
    *,
    creditor: Creditor,
    claim: Claim | None,
    debtor: Debtor,
    kind: str,
    content: bytes,
    filename: str,
    title: str = "",
    language: str = "fr",
    channel: str = "",
    recipients: list[str] | None = None,
    mime_type: str = "application/pdf",
    action_id: int | None = None,
    created_by: AbstractBaseUser | None = None,
    sent: bool = False,
) -> Document:
    """Store ``content`` once, with its SHA-256, and note it on the claim's timeline.

    The stored bytes are never replaced: downloading the document later
    returns exactly what was sent (proof).
    """
    digest = hashlib.sha256(content).hexdigest()
    now = timezone.now()
    doc = Document(
        creditor=creditor,
        claim=claim,
        debtor=debtor,
        action_id=action_id,
        kind=kind,
        language=language,
        title=(title or filename)[:200],
        mime_type=mime_type,
        size=len(content),
        sha256=digest,
        channel=channel,
        recipients=recipients or [],
        rendered_at=now,
        sent_at=now if sent else None,
        created_by=created_by,
    )
    doc.file.save(f"{digest[:16]}-{filename}", ContentFile(content), save=False)
    doc.save()
    if claim is not None:
        event_record(
            claim=claim,
            kind=Event.Kind.DOCUMENT,
            actor=created_by,
            message=f"Document archivé : {doc.title}",
            data=_doc_data(doc),
        )
    return doc


def _doc_data(doc: Document) -> dict[str, Any]:
    return {
        "document": str(doc.code),
        "sha256": doc.sha256,
        "kind": doc.kind,
        "channel": doc.channel,
        "recipients": doc.recipients,
    }


def document_bytes(*, document: Document) -> bytes:
    """The archived bytes, checked against the stored SHA-256."""
    with document.file.open("rb") as fh:
        content = fh.read()
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise ValueError("Archived document does not match its SHA-256")
    return content


def letter_issue(
    *,
    claim: Claim,
    kind: str,
    at: date,
    language: str = "",
    channel: str = "",
    actor: AbstractBaseUser | None = None,
    deadline_days: int = 15,
) -> Document:
    """Render a letter and archive it (e.g. the "generate formal notice" button)."""
    lang = letter_language(claim, language)
    pdf = letter_render(
        claim=claim,
        kind=kind,
        language=lang,
        at=at,
        channel=channel or "email",
        deadline_days=deadline_days,
    )
    return document_archive(
        creditor=claim.creditor,
        claim=claim,
        debtor=claim.debtor,
        kind=Document.Kind.FORMAL_NOTICE
        if kind == "formal_notice"
        else Document.Kind.REMINDER,
        content=pdf,
        filename=f"{kind}-{claim.reference}-{at.isoformat()}.pdf",
        title=f"{kind} {claim.reference} {at.isoformat()}",
        language=lang,
        channel=channel,
        created_by=actor,
    )


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
        claims=[_claim_line(a.claim, delivery.today) for a in actions],
        iban=creditor.iban,
        bic=creditor.bic,
        deadline=delivery.today
        + timedelta(days=max(a.step.deadline_days for a in actions)),
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
    )


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else 0


def debtor_recipients(debtor: Debtor) -> list[str]:
    """The debtor's address plus its billing contacts, without duplicates."""
    emails = [debtor.email] if debtor.email else []
    for contact in debtor.contacts.all():
        if contact.email and contact.email not in emails:
            emails.append(contact.email)
    return emails


def _claim_line(claim: Claim, at: date) -> ClaimLine:
    statement = claim_statement(claim=claim, at=at)
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
) -> DeliveryResult:
    """Send one email now, log it (OutboundMessage) and note it on each claim."""
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
    record.claims.set(claims)
    record.actions.set(actions)
    record.documents.set(documents)
    try:
        email.send()
    except (smtplib.SMTPException, OSError) as exc:
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


# --- bailiff hand-off -------------------------------------------------------


@transaction.atomic
def bailiff_file_build(
    *, claim: Claim, today: date, actor: AbstractBaseUser | None = None
) -> Document:
    """Build the claim's hand-off ZIP and archive it (proof of what was handed over)."""
    from letters.bailiff import bailiff_zip

    lang = (
        claim.creditor.language if claim.creditor.language in LETTER_LANGUAGES else "fr"
    )
    content = bailiff_zip(
        claim=claim, parties=parties_for(claim), today=today, language=lang
    )
    return document_archive(
        creditor=claim.creditor,
        claim=claim,
        debtor=claim.debtor,
        kind=Document.Kind.BAILIFF_FILE,
        content=content,
        filename=f"dossier-{claim.reference}-{today.isoformat()}.zip",
        title=f"Dossier huissier {claim.reference} {today.isoformat()}",
        language=lang,
        channel="handoff",
        mime_type="application/zip",
        created_by=actor,
    )


# --- wording overrides ------------------------------------------------------


def override_preview(
    *, claim: Claim, template: str, language: str, body: str, at: date
) -> str:
    """Validate ``body`` and render the letter with it (HTML), without saving.

    Raises ValidationError when the text breaks a rule or the letter no
    longer renders.
    """
    from django.core.exceptions import ValidationError

    from letters.overrides import override_check

    override_check(template=template, body=body)
    context = letter_context(
        kind=template,
        parties=parties_for(claim),
        statement=claim_statement(claim=claim, at=at),
        at=at,
        language=language,
        intro=body,
    )
    try:
        return render_html(PDF_TEMPLATES[template], context, language=language)
    except Exception as exc:  # a broken override must never be saved
        raise ValidationError(str(exc)) from exc


@transaction.atomic
def override_save(
    *,
    creditor: Creditor,
    template: str,
    language: str,
    body: str,
    subject: str = "",
) -> TemplateOverride:
    """Create or replace the creditor's wording for (template, language), validated."""
    from letters.overrides import override_check

    override_check(template=template, body=body)
    obj, _created = TemplateOverride.objects.update_or_create(
        creditor=creditor,
        template=template,
        language=language,
        defaults={"body": body, "subject": subject, "updated_at": timezone.now()},
    )
    return obj


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
