"""Delivery of what the engine decided, and messages sent outside it."""

from __future__ import annotations

import contextlib
import email.policy as email_policy
import mimetypes
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from email.utils import parseaddr
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext_noop

from claims.engine.execution import Delivery
from claims.engine.execution import DeliveryResult
from claims.engine.execution import TwoPhaseDeliverer
from claims.engine.execution import answered
from claims.law.calendar import message_deadline
from claims.ledger.services import event_record
from claims.ledger.statements import _PREFETCH as STATEMENT_PREFETCH
from claims.ledger.statements import claim_statement
from claims.ledger.statements import judicial_costs_load
from claims.ledger.timeline import choice
from claims.ledger.timeline import said
from claims.models import Action
from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Event
from letters.context import PDF_TEMPLATES
from letters.context import creditor_identity
from letters.emails import ClaimLine
from letters.emails import EmailSpec
from letters.emails import email_build
from letters.emails import email_template_name
from letters.emails import is_permanent
from letters.emails import portal_url
from letters.emails import portal_urls
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
    actions: list[Action] = field(default_factory=list)


def deliver_prepare(delivery: Delivery) -> Outgoing | DeliveryResult:
    """Phase 1 for one delivery (see :func:`deliver_prepare_many`)."""
    return deliver_prepare_many([delivery])[0]


def deliver_prepare_many(deliveries: list[Delivery]) -> list[Outgoing | DeliveryResult]:
    """Phase 1, in the engine's intent transaction (committed before sending).

    For each delivery, ONE email to the debtor for all the claims of the
    delivery; each claim's PDF is rendered and archived when its step goes by
    post or asks for the PDF; invoices attached when asked; the
    OutboundMessage written (queued, Message-ID derived from the actions and
    the attempt). The reads (actions, contacts, statements), the portal links
    and the message rows are one set of statements for the whole batch.
    """
    creditor_of = {pk: d.creditor_id for d in deliveries for pk in d.action_ids}
    found = {
        a.pk: a
        for a in Action.objects.filter(pk__in=list(creditor_of))
        .select_related("step", "claim__creditor", "claim__debtor")
        .prefetch_related("claim__debtor__contacts")
        if a.creditor_id == creditor_of[a.pk]
    }
    claims = [a.claim for a in found.values()]
    prefetch_related_objects(claims, *STATEMENT_PREFETCH)
    judicial_costs_load(claims)
    plans: list[tuple[Delivery, list[Action], list[str]]] = []
    results: list[Outgoing | DeliveryResult | None] = []
    for delivery in deliveries:
        actions = [found[pk] for pk in delivery.action_ids if pk in found]
        if not actions:
            results.append(
                DeliveryResult(delivered=False, error="no action", permanent=True)
            )
            continue
        recipients = debtor_recipients(actions[0].claim.debtor)
        channels = {a.step.channel for a in actions}
        if channels & set(EMAIL_CHANNELS) and not recipients:
            results.append(
                DeliveryResult(
                    delivered=False,
                    error="debtor has no e-mail address",
                    permanent=True,
                )
            )
            continue
        plans.append((delivery, actions, recipients))
        results.append(None)
    emailed = [p for p in plans if {a.step.channel for a in p[1]} & set(EMAIL_CHANNELS)]
    links = iter(
        portal_urls([(p[1][0].claim.debtor, [a.claim for a in p[1]]) for p in emailed])
    )
    specs: list[tuple[Delivery, list[Action], EmailSpec | None, list[Document]]] = []
    for delivery, actions, recipients in plans:
        lang = letter_language(actions[0].claim)
        documents, attachments = _delivery_documents(actions, lang, delivery.today)
        if not {a.step.channel for a in actions} & set(EMAIL_CHANNELS):
            specs.append((delivery, actions, None, documents))
            continue
        spec = _delivery_spec(
            delivery, actions, recipients, lang, attachments, next(links)
        )
        specs.append((delivery, actions, spec, documents))
    prepared = iter(_messages_prepare(specs))
    return [r if r is not None else next(prepared) for r in results]


def _delivery_spec(
    delivery: Delivery,
    actions: list[Action],
    recipients: list[str],
    lang: str,
    attachments: list[tuple[str, bytes, str]],
    link: str,
) -> EmailSpec:
    debtor = actions[0].claim.debtor
    creditor = actions[0].claim.creditor
    kind = max((a.step.kind for a in actions), key=_kind_rank)
    return EmailSpec(
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
        portal_url=link,
        attachments=attachments,
    )


def _messages_prepare(
    specs: list[tuple[Delivery, list[Action], EmailSpec | None, list[Document]]],
) -> list[Outgoing]:
    """Build the emails and write their OutboundMessage rows and links in bulk."""
    outs: list[Outgoing] = []
    for delivery, actions, spec, documents in specs:
        claims = [a.claim for a in actions]
        if spec is None:  # post only: the letters are printed from the archive
            outs.append(Outgoing(None, None, claims, documents))
            continue
        email, record = _message_record(
            spec, claims[0].creditor, claims[0].debtor, delivery.message_id()
        )
        outs.append(Outgoing(email, record, claims, documents, spec))
        outs[-1].actions = actions
    records = [o.record for o in outs if o.record is not None]
    OutboundMessage.objects.bulk_create(records)
    M = OutboundMessage
    M.claims.through.objects.bulk_create(
        M.claims.through(outboundmessage_id=o.record.pk, claim_id=c.pk)
        for o in outs
        if o.record is not None
        for c in o.claims
    )
    M.actions.through.objects.bulk_create(
        M.actions.through(outboundmessage_id=o.record.pk, action_id=a.pk)
        for o in outs
        if o.record is not None
        for a in o.actions
    )
    M.documents.through.objects.bulk_create(
        M.documents.through(outboundmessage_id=o.record.pk, document_id=d.pk)
        for o in outs
        if o.record is not None
        for d in o.documents
    )
    return outs


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


def deliver_send_many(pairs: list[tuple[Delivery, Outgoing]]) -> list[DeliveryResult]:
    """Phase 2 for a batch: every email over ONE SMTP connection, in order.

    Each message gets its own answer: a refusal (4xx/5xx at RCPT or DATA,
    an address the mailer cannot encode) fails that message only and the
    connection goes on (smtplib resets the transaction). A connection lost
    stops the batch: the message in flight is uncertain when its DATA phase
    had started (the server may hold it), otherwise not sent; the messages
    after it are not sent (retried). The outcomes are journaled in bulk in
    the engine's transaction: OutboundMessage statuses, documents, events.
    """
    from django.core.mail import mailers

    results: list[DeliveryResult | None] = [None] * len(pairs)
    outcome: dict[int, BaseException | None] = {}  # index → None (250) or error
    in_flight: dict[int, bool] = {}
    emails = [i for i, (_d, out) in enumerate(pairs) if out.email is not None]
    for i, (delivery, out) in enumerate(pairs):
        if out.email is None:  # post only: the letters are printed from the archive
            outcome[i] = None
            answered(delivery.message_id(), True)
    if emails:
        connection = mailers.default
        handed_over: list[bool] = []
        broken: BaseException | None = None
        try:
            connection.open()
            _watch_data(connection, handed_over)
        except (smtplib.SMTPException, OSError) as exc:
            broken = exc
        for i in emails:
            if broken is not None:
                outcome[i] = NotSent(f"Non envoyé : connexion SMTP perdue ({broken})")
                continue
            handed_over.clear()
            try:
                _smtp_send(connection, pairs[i][1].email)
                outcome[i] = None
            except (ValueError, smtplib.SMTPRecipientsRefused) as exc:
                outcome[i] = exc  # refused before DATA; the connection goes on
            except smtplib.SMTPResponseException as exc:
                outcome[i] = exc  # the server answered: not accepted
            except (smtplib.SMTPException, OSError) as exc:
                outcome[i], in_flight[i], broken = exc, bool(handed_over), exc
                continue  # no answer: the batch's rows say it was in flight
            # Journaled as soon as the server answered (claims.engine.send_journal).
            answered(pairs[i][0].message_id(), outcome[i] is None)
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    _journal(pairs, outcome, in_flight, results)
    return [r for r in results if r is not None]


class NotSent(smtplib.SMTPException):
    """The batch's connection was lost before this message was handed over."""


def _journal(
    pairs: list[tuple[Delivery, Outgoing]],
    outcome: dict[int, BaseException | None],
    in_flight: dict[int, bool],
    results: list[DeliveryResult | None],
) -> None:
    """Record what the server answered, set-based (a few statements per batch)."""
    now = timezone.now()
    sent_records, sent_docs, events = [], [], []
    failed: dict[tuple[str, str], list[int]] = defaultdict(list)
    uncertain: dict[str, list[int]] = defaultdict(list)
    for i, (_d, out) in enumerate(pairs):
        exc = outcome[i]
        doc_ids = tuple(d.pk for d in out.documents)
        record = out.record
        if exc is None:
            sent_docs += doc_ids
            if record is None:
                results[i] = DeliveryResult(
                    delivered=True, channel="post", document_ids=doc_ids
                )
                continue
            sent_records.append(record.pk)
            events += [
                Event(
                    creditor_id=claim.creditor_id,
                    claim_id=claim.pk,
                    kind=Event.Kind.EMAIL,
                    actor_label="système",
                    message=said(
                        gettext_noop("E-mail envoyé à %(to)s : %(s)s"),
                        to=", ".join(out.spec.to),
                        s=out.email.subject[:300],
                    ),
                    data={
                        "message": str(record.code),
                        "message_id": record.message_id,
                        "to": out.spec.to,
                        "status": OutboundMessage.Status.SENT,
                        "attachments": [a[0] for a in out.spec.attachments],
                    },
                )
                for claim in out.claims
            ]
            results[i] = DeliveryResult(
                delivered=True,
                channel="email",
                document_ids=doc_ids,
                message_id=record.message_id,
            )
        elif in_flight.get(i):
            # Lost during DATA, before the server's answer: it may hold the
            # message. Never retried by itself (docs/reliability.md).
            uncertain[f"Envoi incertain : {exc}"[:2000]].append(record.pk)
            results[i] = DeliveryResult(
                delivered=False,
                channel="email",
                document_ids=doc_ids,
                message_id=record.message_id,
                error=f"{type(exc).__name__}: {exc}"[:500],
                uncertain=True,
            )
        else:
            permanent = is_permanent(exc)
            status = (
                OutboundMessage.Status.BOUNCED
                if permanent
                else OutboundMessage.Status.FAILED
            )
            failed[(status, str(exc)[:2000])].append(record.pk)
            events += [
                Event(
                    creditor_id=claim.creditor_id,
                    claim_id=claim.pk,
                    kind=Event.Kind.EMAIL,
                    actor_label="système",
                    message=said(
                        gettext_noop("E-mail en échec (%(st)s) : %(e)s"),
                        st=OutboundMessage.Status(status).label,
                        e=str(exc)[:300],
                    ),
                    data={"message": str(record.code), "status": status},
                )
                for claim in out.claims
            ]
            results[i] = DeliveryResult(
                delivered=False,
                channel="email",
                document_ids=doc_ids,
                message_id=record.message_id,
                error=str(exc)[:500],
                permanent=permanent,
            )
    if sent_records:
        OutboundMessage.objects.filter(pk__in=sent_records).update(
            status=OutboundMessage.Status.SENT, sent_at=now
        )
    if sent_docs:
        Document.objects.filter(pk__in=sent_docs, sent_at__isnull=True).update(
            sent_at=now
        )
    for (status, error), pks in failed.items():
        OutboundMessage.objects.filter(pk__in=pks).update(status=status, error=error)
    for error, pks in uncertain.items():  # stays queued until the owner decides
        OutboundMessage.objects.filter(pk__in=pks).update(error=error)
    Event.objects.bulk_create(events)


def deliver_cancel(delivery: Delivery, out: Outgoing) -> None:
    """A payment, dispute or pause stopped the prepared message before it left."""
    if out.record is not None:
        out.record.status = OutboundMessage.Status.CANCELLED
        out.record.error = "Annulé avant l'envoi : la créance a changé."
        out.record.save(update_fields=["status", "error"])


def deliver_settle(action_ids: list[int], sent: bool) -> None:
    """An uncertain send decided: it left (the owner confirmed it, or the send
    journal holds the server's 250), or it is replaced by a new send (the
    owner asked for one, or the journal shows it never left)."""
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
            error="Non envoyé : remplacé par un nouvel envoi.",
        )


deliver = TwoPhaseDeliverer(
    prepare=deliver_prepare,
    send=deliver_send,
    cancel=deliver_cancel,
    settle=deliver_settle,
    prepare_many=deliver_prepare_many,
    send_many=deliver_send_many,
    journals=True,  # deliver_send_many reports each answer as it comes
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
                title=said(
                    gettext_noop("%(k)s %(r)s"),
                    k=choice(step, "kind"),
                    r=claim.reference,
                ),
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
    email, record = _message_record(spec, creditor, debtor, message_id)
    record.save()
    # A new record has no links yet: add() skips the SELECT that set() runs
    # first (three queries less per delivery; none for an empty list).
    record.claims.add(*claims)
    record.actions.add(*actions)
    record.documents.add(*documents)
    return Outgoing(email, record, list(claims), list(documents), spec)


def _message_record(
    spec: EmailSpec, creditor: Creditor, debtor: Debtor, message_id: str = ""
) -> tuple[Any, OutboundMessage]:
    """The email and its OutboundMessage (not saved), the .eml archived.

    The MIME bytes are built once (:func:`_pin_message`): the archived .eml is
    what leaves. The file is written to storage now; the row is the caller's
    to save (one INSERT, or one per batch).
    """
    email = email_build(spec)
    if message_id:
        email.extra_headers["Message-ID"] = message_id
    raw = _pin_message(email)
    record = OutboundMessage(
        creditor=creditor,
        debtor=debtor,
        template=spec.template,
        subject=email.subject,
        to=spec.to,
        message_id=email.extra_headers["Message-ID"],
        attempts=1,
    )
    record.eml.save(f"{uuid.uuid4().hex}.eml", ContentFile(raw), save=False)
    return email, record


def _pin_message(email: Any) -> bytes:
    """Build the MIME message once and make the mailer send those very bytes,
    so the archived .eml (date, boundaries, attachments) is what left.

    An address whose local part is not ASCII (``chloé@…``) needs SMTPUTF8
    (RFC 6531): its headers are then written in UTF-8, not encoded-words.
    """
    utf8 = not all(_ascii_local(a) for a in (email.from_email, *email.recipients()))
    built = email.message(policy=email_policy.SMTPUTF8 if utf8 else email_policy.SMTP)
    raw = built.as_bytes()
    built.as_bytes = lambda *args, **kwargs: raw  # flattened once, not per send
    email.message = lambda *args, **kwargs: built
    return raw


def _ascii_local(address: str) -> bool:
    return parseaddr(address)[1].rpartition("@")[0].isascii()


def _smtp_send(connection: Any, email: Any) -> None:
    """Send one pinned email over the mailer's open connection.

    An address with a non-ASCII local part goes with SMTPUTF8 when the server
    offers it; otherwise it is refused here, before any byte of the message
    left (``ValueError``: a permanent failure of that message only).
    """
    addresses = (email.from_email, *email.recipients())
    if all(_ascii_local(a) for a in addresses):
        connection.send_messages([email])
        return
    smtp = getattr(connection, "connection", None)
    if smtp is None or not hasattr(smtp, "has_extn"):
        connection.send_messages([email])  # not SMTP (tests): the mailer decides
        return
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("smtputf8"):
        wide = ", ".join(a for a in email.recipients() if not _ascii_local(a))
        raise ValueError(
            f"Adresse avec accents ({wide}) : le serveur d'envoi n'accepte pas SMTPUTF8"
        )
    smtp.sendmail(
        connection.prep_address(email.from_email, force_ascii=False),
        [connection.prep_address(a, force_ascii=False) for a in email.recipients()],
        email.message().as_bytes(),
        mail_options=["SMTPUTF8"],
    )


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
            _smtp_send(connection, out.email)
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
            message=said(
                gettext_noop("E-mail envoyé à %(to)s : %(s)s"),
                to=", ".join(spec.to),
                s=out.email.subject[:300],
            ),
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
            message=said(
                gettext_noop("E-mail en échec (%(st)s) : %(e)s"),
                st=choice(record, "status"),
                e=str(exc)[:300],
            ),
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

    if template == "plan_confirmation":  # with the plan's terms and document
        from letters.plan_notices import plan_confirmation_send

        return plan_confirmation_send(claim_id=claim_id, at=date.fromisoformat(at))
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
