"""The creditor's side of the portal: answer disputes and plan requests, issue and
revoke debtor links. Scoped to the user's creditor; other creditors' objects 404."""

from __future__ import annotations

import re
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from claims.models import Dispute
from claims.models import Event
from claims.models import PaymentPlan
from claims.models import PortalToken
from claims.security.access import current_membership
from claims.security.access import get_claim_for_user
from claims.security.access import get_debtor_for_user
from claims.security.access import require_write
from claims.security.params import uuid_or_none
from letters.portal import services
from letters.portal.forms import DisputeAnswerForm
from letters.portal.forms import PlanAnswerForm
from letters.portal.tokens import portal_token_issue
from letters.portal.tokens import portal_token_revoke
from letters.portal.tokens import portal_url
from letters.portal.uploads import CONTENT_TYPES


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Open disputes, plan requests and the latest portal activity (3 queries)."""
    membership = current_membership(request)
    creditor_id = membership.creditor_id
    context = {
        "membership": membership,
        "disputes": Dispute.objects.for_creditor(creditor_id)
        .filter(status=Dispute.Status.OPEN)
        .select_related("claim__debtor", "invoice"),
        "plans": PaymentPlan.objects.for_creditor(creditor_id)
        .filter(status=PaymentPlan.Status.REQUESTED)
        .select_related("claim__debtor")
        .prefetch_related("instalments"),
        "events": Event.objects.for_creditor(creditor_id)
        .filter(kind__in=[Event.Kind.PORTAL, Event.Kind.DISPUTE, Event.Kind.PLAN])
        .select_related("claim")[:50],
    }
    return render(request, "portal/manage/inbox.html", context)


@login_required
def dispute_answer(request: HttpRequest, code: UUID) -> HttpResponse:
    membership = current_membership(request)
    item = get_object_or_404(
        Dispute.objects.for_creditor(membership.creditor_id).select_related(
            "claim__debtor", "invoice"
        ),
        code=code,
    )
    form = DisputeAnswerForm(request.POST or None)
    if request.method == "POST":
        require_write(request)
        if form.is_valid():
            try:
                services.dispute_answer(
                    dispute=item,
                    decision=form.cleaned_data["decision"],
                    answer=form.cleaned_data["answer"],
                    credit_amount=form.cleaned_data["credit_amount"],
                    actor=request.user,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "amount" in exc.error_dict:
                    # A ledger rule (e.g. a credit note above what remains
                    # invoiced): its own message, on the amount.
                    form.add_error("credit_amount", exc.error_dict["amount"])
                else:
                    form.add_error(
                        None,
                        _(
                            "Réponse impossible : explication ou montant manquant, ou déjà traitée."
                        ),
                    )
            else:
                messages.success(request, _("Réponse enregistrée."))
                return redirect("portal:manage")
    return render(
        request,
        "portal/manage/dispute.html",
        {"membership": membership, "dispute": item, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def plan_answer(request: HttpRequest, code: UUID) -> HttpResponse:
    membership = current_membership(request)
    plan = get_object_or_404(
        PaymentPlan.objects.for_creditor(membership.creditor_id)
        .select_related("claim__debtor")
        .prefetch_related("instalments"),
        code=code,
    )
    form = PlanAnswerForm(request.POST or None)
    if request.method == "POST":
        require_write(request)
        if form.is_valid():
            try:
                services.plan_answer(
                    plan=plan,
                    decision=form.cleaned_data["decision"],
                    note=form.cleaned_data["note"],
                    count=form.cleaned_data["count"],
                    first_on=form.cleaned_data["first_on"],
                    actor=request.user,
                )
            except (ValidationError, ValueError):
                form.add_error(
                    None, _("Réponse impossible : données manquantes ou déjà traitée.")
                )
            else:
                messages.success(request, _("Réponse enregistrée."))
                return redirect("portal:manage")
    return render(
        request,
        "portal/manage/plan.html",
        {"membership": membership, "plan": plan, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def token_issue(request: HttpRequest, code: UUID) -> HttpResponse:
    """GET: the debtor's links; POST: issue a new one (the link is shown once)."""
    membership = current_membership(request)
    debtor = get_debtor_for_user(request, code)
    link = ""
    if request.method == "POST":
        require_write(request)
        claim = None
        if request.POST.get("claim"):
            claim = get_object_or_404(
                debtor.claims.for_creditor(membership.creditor_id),
                code=uuid_or_none(request.POST["claim"]),
            )
        _token, raw = portal_token_issue(debtor=debtor, claim=claim, actor=request.user)
        link = portal_url(raw)
    tokens = (
        PortalToken.objects.filter(creditor_id=membership.creditor_id, debtor=debtor)
        .select_related("claim")
        .order_by("-created_at")
    )
    return render(
        request,
        "portal/manage/tokens.html",
        {
            "membership": membership,
            "debtor": debtor,
            "tokens": tokens,
            "link": link,
            "now": timezone.now(),
            "claims": debtor.claims.open(),
        },
    )


@login_required
@require_POST
def revoke(request: HttpRequest, short_code: str) -> HttpResponse:
    membership = require_write(request)
    token = get_object_or_404(
        PortalToken.objects.select_related("debtor", "claim"),
        creditor_id=membership.creditor_id,
        short_code=short_code,
    )
    if portal_token_revoke(token=token, actor=request.user):
        messages.success(request, _("Lien révoqué."))
    return redirect("portal:token_issue", code=token.debtor.code)


@login_required
def dispute_attachment(request: HttpRequest, code: UUID) -> HttpResponse:
    membership = current_membership(request)
    item = get_object_or_404(
        Dispute.objects.for_creditor(membership.creditor_id).exclude(attachment=""),
        code=code,
    )
    ext = item.attachment.name.rsplit(".", 1)[-1].lower()
    if ext not in CONTENT_TYPES:
        raise Http404
    response = FileResponse(
        item.attachment.open("rb"),
        as_attachment=True,
        filename=f"contestation-{item.claim_id}.{ext}",
        content_type=CONTENT_TYPES[ext],
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


_PROOF_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg)$")


@login_required
def proof(request: HttpRequest, code: UUID, name: str) -> HttpResponse:
    """A proof of payment uploaded with an "I have paid" declaration."""
    claim = get_claim_for_user(request, code)
    match = _PROOF_NAME.match(name)
    path = f"portal/proofs/{claim.code}/{name}"
    if match is None or not default_storage.exists(path):
        raise Http404
    response = FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=f"preuve-{claim.reference}.{match.group(1)}",
        content_type=CONTENT_TYPES[match.group(1)],
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
