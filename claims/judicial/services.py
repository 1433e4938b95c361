"""The judicial track of a claim: hand-off, dated steps, costs, money, documents.

Every step is a ``JudicialStep`` row (append-only) plus an event on the claim's
timeline; the ``JudicialCase`` keeps the summary (dates, totals, outcome) the
outcome figures read. A deadline the law attaches to a step (legal-brief §3,
§8, §9 — ``claims.law.judicial``) is stored on the step: it is the owner's
dated reminder.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from claims.law.judicial import step_deadline
from claims.law.routes import JUDICIAL_ROUTES
from claims.ledger.services import claim_refresh_totals
from claims.ledger.services import event_record
from claims.ledger.services import payment_record
from claims.ledger.timeline import choice
from claims.ledger.timeline import said
from claims.models import Event
from claims.models import JudicialCase
from claims.models import JudicialStep
from claims.models import LegalContact
from claims.models import PaymentMethod

ZERO = Decimal("0.00")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = (".pdf", ".jpg", ".jpeg", ".png")


def contact_create(*, creditor_id: int, **fields: Any) -> LegalContact:
    """Add a bailiff or lawyer to the creditor's directory."""
    contact = LegalContact(creditor_id=creditor_id, **fields)
    contact.full_clean(exclude=["creditor"])
    contact.save()
    return contact


@transaction.atomic
def judicial_open(
    *,
    claim_id: int,
    route: str,
    actor: AbstractBaseUser,
    contact: LegalContact | None = None,
    on: date | None = None,
    costs_advanced: Decimal = ZERO,
    note: str = "",
    document: Any = None,
) -> JudicialCase:
    """Hand the claim over on ``route`` to ``contact``: the track's first step."""
    from claims.engine.collection import judicial_handoff

    if route not in JUDICIAL_ROUTES:
        raise ValidationError(_("Procédure inconnue : %s") % route)
    on = on or timezone.localdate()
    case = judicial_handoff(
        claim_id=claim_id,
        route=route,
        actor=actor,  # type: ignore[arg-type]
        handler_name=contact.name if contact else "",
        handler_email=contact.email if contact else "",
        on=on,
    )
    if contact is not None:
        if contact.creditor_id != case.creditor_id:
            raise ValidationError(_("Ce mandataire n'est pas dans votre annuaire."))
        case.contact = contact
        case.save(update_fields=["contact"])
    step_record(
        case=case,
        kind=JudicialStep.Kind.HANDOFF,
        on=on,
        actor=actor,
        costs_advanced=costs_advanced,
        note=note,
        document=document,
    )
    return case


def _document_bytes(document: Any) -> tuple[bytes, str]:
    name = (getattr(document, "name", "") or "document").rsplit("/", 1)[-1][:150]
    if not name.lower().endswith(DOCUMENT_TYPES):
        raise ValidationError(_("Document PDF, JPEG ou PNG uniquement."))
    if getattr(document, "size", 0) > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("Document trop volumineux (10 Mo maximum)."))
    document.seek(0)
    return document.read(), name


@transaction.atomic
def step_record(
    *,
    case: JudicialCase,
    kind: str,
    on: date,
    actor: AbstractBaseUser | None,
    costs_advanced: Decimal = ZERO,
    costs_recovered: Decimal = ZERO,
    costs_awarded: Decimal = ZERO,
    amount_collected: Decimal = ZERO,
    note: str = "",
    document: Any = None,
    deadline: date | None = None,
    deadline_label: str = "",
    outcome: str = "",
    today: date | None = None,
) -> JudicialStep:
    """Record one step of the track; money collected is a payment on the claim.

    The deadline is the one the law sets for this route and step (unless the
    user typed one, e.g. a hearing date). ``amount_collected`` goes through
    ``payment_record`` (the ledger's rules, the statement's allocation), so a
    claim paid in full through the bailiff closes as paid.
    """
    today = today or timezone.localdate()
    if on > today:
        raise ValidationError(_("La date de l'étape ne peut pas être dans le futur."))
    if kind not in JudicialStep.Kind.values:
        raise ValidationError(_("Étape inconnue : %s") % kind)
    money = {
        "costs_advanced": costs_advanced,
        "costs_recovered": costs_recovered,
        "costs_awarded": costs_awarded,
        "amount_collected": amount_collected,
    }
    for name, value in money.items():
        if value is None or value < ZERO:
            raise ValidationError(_("Montant négatif refusé (%s).") % name)
    if costs_recovered > amount_collected:
        raise ValidationError(
            _("Les frais récupérés font partie du montant encaissé : pas plus que lui.")
        )
    case = (
        JudicialCase.objects.select_for_update().select_related("claim").get(pk=case.pk)
    )
    if deadline is None:
        legal = step_deadline(case.route, kind, on)
        if legal is not None:
            deadline, deadline_label = legal.on, legal.label
    step = JudicialStep(
        creditor_id=case.creditor_id,
        case=case,
        kind=kind,
        on=on,
        deadline=deadline,
        deadline_label=deadline_label[:300],
        note=note,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        **money,
    )
    if document:
        content, name = _document_bytes(document)
        step.document_sha256 = hashlib.sha256(content).hexdigest()
        step.document_name = name
        step.document.save(name, ContentFile(content), save=False)
    step.full_clean(exclude=["case", "creditor", "created_by", "document"])
    step.save()
    _summarise(case, step, outcome)
    event_record(
        claim=case.claim,
        kind=Event.Kind.JUDICIAL,
        actor=actor,
        message=said(
            gettext_noop("Judiciaire : %(s)s le %(d)s"), s=choice(step, "kind"), d=on
        ),
        data={
            "step": kind,
            "on": on.isoformat(),
            "deadline": deadline.isoformat() if deadline else "",
            "document_sha256": step.document_sha256,
            **{k: str(v) for k, v in money.items()},
        },
    )
    if step.costs_awarded > ZERO or kind == JudicialStep.Kind.TITLE:
        # The statement changes (judicial costs): refresh the claim's stored
        # figures the way every ledger change does.
        claim_refresh_totals(claim=case.claim)
    if amount_collected > ZERO:
        payment_record(
            claim=case.claim,
            amount=amount_collected,
            on=on,
            method=PaymentMethod.OTHER,
            reference=_("Encaissé via %s") % (case.handler_name or _("huissier")),
            actor=actor,
            today=today,
        )
    return step


def _summarise(case: JudicialCase, step: JudicialStep, outcome: str) -> None:
    """Keep the case's summary (dates, totals, outcome) in line with its steps."""
    totals = case.steps.aggregate(
        a=Sum("costs_advanced"), r=Sum("costs_recovered"), c=Sum("amount_collected")
    )
    case.costs_advanced = totals["a"] or ZERO
    case.costs_recovered = totals["r"] or ZERO
    case.amount_recovered = totals["c"] or ZERO
    fields = ["costs_advanced", "costs_recovered", "amount_recovered"]
    kind = step.kind
    if kind == JudicialStep.Kind.SERVED and case.served_on is None:
        case.served_on = step.on
        case.contest_deadline = step.deadline
        fields += ["served_on", "contest_deadline"]
    elif kind == JudicialStep.Kind.TITLE and case.title_obtained_on is None:
        case.title_obtained_on = step.on
        fields.append("title_obtained_on")
        if case.outcome == JudicialCase.Outcome.PENDING:
            case.outcome = JudicialCase.Outcome.TITLE
            fields.append("outcome")
    elif kind == JudicialStep.Kind.ENFORCEMENT and case.enforcement_on is None:
        case.enforcement_on = step.on
        fields.append("enforcement_on")
    if kind == JudicialStep.Kind.CLOSED:
        if outcome and outcome not in JudicialCase.Outcome.values:
            raise ValidationError(_("Issue inconnue : %s") % outcome)
        case.outcome = outcome or JudicialCase.Outcome.PAID
        fields.append("outcome")
    case.save(update_fields=sorted(set(fields)))
