"""Letters services: render, archive (with proof), deliver."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Event
from claims.services import event_record
from claims.statements import claim_statement
from letters.context import PDF_TEMPLATES
from letters.context import Parties
from letters.context import letter_context
from letters.models import Document
from letters.models import TemplateOverride
from letters.rendering import html_to_pdf
from letters.rendering import html_with_stylesheet
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
        # A letter demands only the invoices already due (invoice by invoice).
        statement=claim_statement(claim=claim, at=at, demanded_only=True),
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
        return html_with_stylesheet(
            render_html(PDF_TEMPLATES[template], context, language=language)
        )
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


# The deliverer (``deliver``) and ``claim_email_send`` live in letters.delivery.
