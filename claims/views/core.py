"""Browser pages of the claims app."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render

from claims import selectors
from claims.access import current_membership
from claims.access import get_claim_for_user
from claims.access import get_debtor_for_user
from claims.models import Claim
from claims.models import Debtor


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    summary = selectors.creditor_summary(creditor_id=membership.creditor_id)
    return render(
        request, "claims/dashboard.html", {"membership": membership, "summary": summary}
    )


@login_required
def claim_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    qs = (
        Claim.objects.for_creditor(membership.creditor_id)
        .select_related("debtor")
        .order_by("oldest_due_date", "pk")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request, "claims/claim_list.html", {"membership": membership, "page": page}
    )


@login_required
def claim_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    membership = current_membership(request)
    claim = get_claim_for_user(request, code)
    context = {
        "membership": membership,
        "claim": claim,
        "invoices": claim.invoices.all(),
        "payments": claim.payments.all(),
        "events": claim.events.select_related("actor")[:100],
    }
    return render(request, "claims/claim_detail.html", context)


@login_required
def debtor_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    qs = selectors.debtors_with_exposure(creditor_id=membership.creditor_id)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request, "claims/debtor_list.html", {"membership": membership, "page": page}
    )


@login_required
def debtor_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    membership = current_membership(request)
    debtor: Debtor = get_debtor_for_user(request, code)
    claims = debtor.claims.order_by("-created_at")
    return render(
        request,
        "claims/debtor_detail.html",
        {
            "membership": membership,
            "debtor": debtor,
            "claims": claims,
            "contacts": debtor.contacts.all(),
        },
    )
