"""The judicial track in the claim workspace: hand-off, steps, documents.

POST only for changes (owner, manager, agent: ``require_write``); a claim of
another creditor is a 404 (``get_claim_for_user``).
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from claims.judicial.services import contact_create
from claims.judicial.services import judicial_open
from claims.judicial.services import step_record
from claims.models import AuditEntry
from claims.models import JudicialCase
from claims.models import JudicialStep
from claims.security.access import current_membership
from claims.security.access import get_claim_for_user
from claims.security.access import require_write
from claims.security.audit import audit_record
from claims.web.forms_judicial import HandoffForm
from claims.web.forms_judicial import StepForm


def _errors(request: HttpRequest, form_errors: object) -> None:
    for field, errors in form_errors.items():  # type: ignore[attr-defined]
        for error in errors:
            messages.error(
                request, f"{field}: {error}" if field != "__all__" else error
            )


def _refusal(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_POST
@login_required
def handoff(request: HttpRequest, code: UUID) -> HttpResponse:
    """Choose a route and a bailiff or lawyer: the claim enters the judicial track."""
    membership = require_write(request)
    claim = get_claim_for_user(request, code)
    form = HandoffForm(request.POST, request.FILES, creditor_id=membership.creditor_id)
    if JudicialCase.objects.filter(claim=claim).exists():
        messages.error(request, _("Ce dossier est déjà transmis au judiciaire."))
        return redirect(claim.get_absolute_url() + "#judicial")
    if not form.is_valid():
        _errors(request, form.errors)
        return redirect("claims:claim_routes", code=claim.code)
    data = form.cleaned_data
    route = request.POST.get("route", "")
    if route not in _open_routes(claim):
        messages.error(request, _("Cette procédure n'est pas ouverte pour ce dossier."))
        return redirect("claims:claim_routes", code=claim.code)
    try:
        contact = data["contact"]
        if data["new_name"]:
            contact = contact_create(
                creditor_id=membership.creditor_id,
                name=data["new_name"],
                kind=data["new_kind"],
                email=data["new_email"],
                phone=data["new_phone"],
                address=data["new_address"],
            )
        judicial_open(
            claim_id=claim.pk,
            route=route,
            actor=request.user,
            contact=contact,
            on=data["on"],
            costs_advanced=form.money("costs_advanced"),
            note=data["note"],
            document=data["document"],
        )
    except ValidationError as exc:
        _refusal(request, exc)
        return redirect("claims:claim_routes", code=claim.code)
    messages.success(request, _("Dossier transmis : suivez-le ci-dessous."))
    return redirect(claim.get_absolute_url() + "#judicial")


def _open_routes(claim: object) -> set[str]:
    """The judicial routes the advisor proposes for this claim, conditions not
    failed (legal-brief §3, §8, §9)."""
    from claims.judicial.routes import route_advice

    advice = route_advice(claim=claim, today=timezone.localdate())  # type: ignore[arg-type]
    return {o.route for o in advice.options if o.eligible}


@require_POST
@login_required
def step(request: HttpRequest, code: UUID) -> HttpResponse:
    """Record one step of the track (served, title, enforcement, closed)."""
    require_write(request)
    claim = get_claim_for_user(request, code)
    case = get_object_or_404(JudicialCase, claim=claim)
    form = StepForm(request.POST, request.FILES)
    if not form.is_valid():
        _errors(request, form.errors)
        return redirect(claim.get_absolute_url() + "#judicial")
    data = form.cleaned_data
    try:
        recorded = step_record(
            case=case,
            kind=data["kind"],
            on=data["on"],
            actor=request.user,
            costs_advanced=form.money("costs_advanced"),
            costs_recovered=form.money("costs_recovered"),
            costs_awarded=form.money("costs_awarded"),
            amount_collected=form.money("amount_collected"),
            note=data["note"],
            document=data["document"],
            deadline=data["deadline"],
            deadline_label=data["deadline_label"],
            outcome=data["outcome"],
        )
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(
            request, _("Étape enregistrée : %s") % recorded.get_kind_display()
        )
    return redirect(claim.get_absolute_url() + "#judicial")


@login_required
def document(request: HttpRequest, code: UUID) -> HttpResponse:
    """Download a step's document (``code`` is the step's; same creditor only)."""
    membership = current_membership(request)
    found = get_object_or_404(
        JudicialStep.objects.for_creditor(membership.creditor_id).select_related(
            "case"
        ),
        code=code,
    )
    if not found.document:
        raise Http404
    audit_record(
        kind=AuditEntry.Kind.DOCUMENT_DOWNLOAD,
        request=request,
        creditor=membership.creditor_id,
        detail={"judicial_step": found.pk, "sha256": found.document_sha256},
    )
    return FileResponse(
        found.document.open("rb"),
        as_attachment=True,
        filename=found.document_name or "document",
    )


def track_url(code: UUID) -> str:
    return reverse("claims:claim_detail", kwargs={"code": code}) + "#judicial"
