"""Letters services: render, archive (with proof), deliver."""

from __future__ import annotations

import hashlib
from datetime import date
from datetime import timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from claims.ledger.services import event_record
from claims.ledger.statements import claim_statement
from claims.ledger.statements import message_statement
from claims.ledger.timeline import Said
from claims.ledger.timeline import said
from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Event
from claims.models import ScenarioStep
from letters.context import PDF_TEMPLATES
from letters.context import Parties
from letters.context import letter_context
from letters.context import payment_deadline
from letters.models import Document
from letters.models import PostalProof
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
        creditor_legal_name=c.legal_name,
        creditor_trade_name=c.trade_name,
        creditor_register_city=c.register_city,
        creditor_share_capital=c.share_capital,
        creditor_postal_code=c.postal_code,
        debtor_postal_code=d.postal_code,
        debtor_city=d.city,
        contract_rate=claim.contract_rate
        if claim.contract_rate is not None
        else c.contract_rate,
        has_penalty_clause=any(
            x is not None
            for x in (
                claim.penalty_clause_percent,
                claim.penalty_clause_minimum,
                c.penalty_clause_percent,
                c.penalty_clause_minimum,
            )
        ),
    )


def letter_language(claim: Claim, language: str = "") -> str:
    """The language of the letter: asked, else the debtor's, else French."""
    lang = language or claim.debtor.language or "fr"
    return lang if lang in LETTER_LANGUAGES else "fr"


def letter_context_for(
    *,
    claim: Claim,
    kind: str,
    language: str = "",
    at: date,
    channel: str = "email",
    deadline_days: int = 15,
    intro: str = "",
) -> dict[str, Any]:
    """The context of one letter for ``claim`` on ``at``, in its language:
    the same for its PDF and its e-mail (amounts from the statement)."""
    lang = letter_language(claim, language)
    parties = parties_for(claim)
    deadline = payment_deadline(
        kind=kind,
        sent_on=at,
        country=parties.creditor_country,
        debtor_kind=parties.debtor_kind,
        channel=channel,
        deadline_days=deadline_days,
    )
    sent = {"claim": claim, "kind": kind, "sent_on": at, "channel": channel}
    with translation.override(lang):
        return letter_context(
            kind=kind,
            parties=parties,
            # A letter demands only the invoices already due (invoice by invoice).
            statement=claim_statement(claim=claim, at=at, demanded_only=True),
            at=at,
            language=lang,
            channel=channel,
            deadline_days=deadline_days,
            intro=intro,
            payable=message_statement(**sent, until=deadline),
            after=message_statement(**sent, until=deadline + timedelta(days=1))
            if kind == "first_reminder"
            else None,
        )


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
    context = letter_context_for(
        claim=claim,
        kind=kind,
        language=lang,
        at=at,
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
    title: str | Said = "",
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
            # A title written with ``said`` is read in the reader's language.
            message=said(
                gettext_noop("Document archivé : %s"),
                title if isinstance(title, Said) else doc.title,
            ),
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
        title=said(
            gettext_noop("%(k)s %(r)s du %(d)s"),
            k=dict(ScenarioStep.Kind.choices).get(kind, kind),
            r=claim.reference,
            d=at,
        ),
        language=lang,
        channel=channel,
        created_by=actor,
    )


# --- bailiff hand-off -------------------------------------------------------


@transaction.atomic
def bailiff_file_build(
    *,
    claim: Claim,
    today: date,
    actor: AbstractBaseUser | None = None,
    recipient: Any = None,
    language: str = "",
) -> Document:
    """Build the claim's hand-off ZIP for ``recipient`` (a ``LegalContact`` of
    the claim's creditor) and archive it (proof of what was handed over).

    The cover is in ``language``, else the recipient's, else the creditor's.
    """
    from django.core.exceptions import ValidationError

    from letters.bailiff import COVER_LANGUAGES
    from letters.bailiff import bailiff_zip
    from letters.bailiff import cover_language

    if recipient is not None and recipient.creditor_id != claim.creditor_id:
        raise ValidationError(_("Ce mandataire n'est pas dans votre annuaire."))
    lang = language if language in COVER_LANGUAGES else cover_language(claim, recipient)
    content = bailiff_zip(
        claim=claim,
        parties=parties_for(claim),
        today=today,
        language=lang,
        recipient=recipient,
    )
    to = f" — {recipient.name}" if recipient is not None else ""
    return document_archive(
        creditor=claim.creditor,
        claim=claim,
        debtor=claim.debtor,
        kind=Document.Kind.BAILIFF_FILE,
        content=content,
        filename=f"dossier-{claim.reference}-{today.isoformat()}.zip",
        title=said(
            gettext_noop("Dossier huissier %(r)s du %(d)s%(to)s"),
            r=claim.reference,
            d=today,
            to=to,
        ),
        language=lang,
        channel="handoff",
        recipients=[recipient.email]
        if recipient is not None and recipient.email
        else [],
        mime_type="application/zip",
        created_by=actor,
    )


@transaction.atomic
def postal_proof_record(
    *,
    document: Document,
    receipt_number: str,
    posted_on: date,
    scan: Any,
    actor: AbstractBaseUser | None = None,
    today: date | None = None,
) -> PostalProof:
    """Record the post office's proof of a registered letter (number + scan).

    ``scan`` must already be validated (``letters.portal.uploads.validate_upload``:
    PDF, PNG or JPEG by its bytes, 5 MB at most). Refused for a document not
    sent by registered post or a deposit date in the future or before the letter.
    """
    from django.core.exceptions import ValidationError

    today = today or timezone.localdate()
    number = " ".join(receipt_number.split()).upper()
    if document.channel != "registered" or document.claim_id is None:
        raise ValidationError(_("Ce document n'a pas été envoyé par recommandé."))
    if not number:
        raise ValidationError(_("Indiquez le numéro de l'envoi recommandé."))
    if posted_on > today or posted_on < timezone.localdate(document.rendered_at):
        raise ValidationError(
            _(
                "La date de dépôt doit se situer entre la date du courrier et aujourd'hui."
            )
        )
    scan.seek(0)
    content = scan.read()
    proof = PostalProof(
        creditor_id=document.creditor_id,
        claim_id=document.claim_id,
        document=document,
        receipt_number=number[:40],
        posted_on=posted_on,
        scan_sha256=hashlib.sha256(content).hexdigest(),
        mime_type=getattr(scan, "content_type", "") or "application/pdf",
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    proof.scan.save(scan.name, ContentFile(content), save=False)
    proof.save()
    event_record(
        claim=document.claim,
        kind=Event.Kind.DOCUMENT,
        actor=actor,
        message=said(
            gettext_noop("Preuve de dépôt recommandé %(n)s du %(d)s enregistrée"),
            n=proof.receipt_number,
            d=posted_on,
        ),
        data={"postal_proof": str(proof.code), "sha256": proof.scan_sha256},
    )
    return proof


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
