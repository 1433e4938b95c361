"""Create debtors and claims by hand, settings, members and the creditor switcher."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from claims.ledger import services
from claims.models import Debtor
from claims.models import Invitation
from claims.models import Membership
from claims.models import Role
from claims.models import Scenario
from claims.security.access import SESSION_KEY
from claims.security.access import current_membership
from claims.security.access import require_write
from claims.security.members import member_invite
from claims.security.members import member_role_change
from claims.security.members import membership_remember
from claims.security.params import uuid_or_none
from claims.web.forms import ClaimForm
from claims.web.forms import CreditorSettingsForm
from claims.web.forms import DebtorForm
from claims.web.forms import InvoiceFormSet
from claims.web.forms import MemberAddForm
from claims.web.forms import MemberRoleForm


def _require_manager(request: HttpRequest) -> Membership:
    membership = current_membership(request)
    if not membership.can_manage:
        raise PermissionDenied
    return membership


@login_required
def debtor_create(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    form = DebtorForm(
        request.POST or None, initial={"country": membership.creditor.country}
    )
    if request.method == "POST":
        require_write(request)
        form.instance.creditor_id = membership.creditor_id
        if form.is_valid():
            debtor = services.debtor_save(debtor=form.save(commit=False))
            messages.success(
                request, _("Débiteur « %(n)s » créé.") % {"n": debtor.name}
            )
            target = reverse("claims:claim_create") + f"?debtor={debtor.code}"
            return redirect(target)
    return render(
        request, "claims/debtor_form.html", {"membership": membership, "form": form}
    )


@login_required
def claim_create(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    cid = membership.creditor_id
    initial: dict[str, Any] = {}
    wanted = uuid_or_none(request.GET.get("debtor"))
    if wanted:
        initial["debtor"] = Debtor.objects.for_creditor(cid).filter(code=wanted).first()
    form = ClaimForm(request.POST or None, creditor_id=cid, initial=initial)
    formset = InvoiceFormSet(request.POST or None, prefix="inv")
    if request.method == "POST":
        require_write(request)
        if (
            form.is_valid()
            and formset.is_valid()
            and _rates_cover(formset, membership.creditor, form.cleaned_data["debtor"])
        ):
            invoices = [
                services.InvoiceData(
                    number=f["number"],
                    issue_date=f["issue_date"],
                    due_date=f["due_date"],
                    amount=f["amount"],
                    description=f.get("description", ""),
                )
                for f in formset.cleaned_data
                if f
            ]
            try:
                with transaction.atomic():
                    claim = services.claim_open(
                        creditor=membership.creditor,
                        debtor=form.cleaned_data["debtor"],
                        invoices=invoices,
                        reference=form.cleaned_data["reference"],
                        has_debtor_writing=form.cleaned_data["has_debtor_writing"],
                        actor=request.user,
                    )
            except ValidationError as exc:
                for msg in exc.messages:
                    form.add_error(None, _translate_known(msg))
            else:
                messages.success(
                    request, _("Créance %(r)s ouverte.") % {"r": claim.reference}
                )
                return redirect(claim.get_absolute_url())
    return render(
        request,
        "claims/claim_form.html",
        {"membership": membership, "form": form, "formset": formset},
    )


def _rates_cover(formset: Any, creditor: Any, debtor: Any) -> bool:
    """A due date before the first row of the rate tables is a field error."""
    from claims.ledger.statements import rate_coverage_error

    ok = True
    for f in formset.forms:
        due = f.cleaned_data.get("due_date")
        if not due:
            continue
        problem = rate_coverage_error(
            country=creditor.country,
            debtor_kind=debtor.kind,
            due_date=due,
            contract_rate=creditor.contract_rate,
        )
        if problem:
            f.add_error("due_date", problem)
            ok = False
    return ok


def _translate_known(message: str) -> str:
    if "unique" in message.lower() or "existe déjà" in message.lower():
        return _("Ce numéro de facture ou cette référence existe déjà.")
    return message


# Creditor settings the statement of account reads (claims.ledger.statements.claim_facts).
MONEY_TERMS = {
    "country",
    "time_zone",
    "is_sme",
    "contract_rate",
    "penalty_clause_percent",
    "penalty_clause_minimum",
    "allocation_order",
}


@login_required
def settings_creditor(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    creditor = membership.creditor
    form = CreditorSettingsForm(
        request.POST or None, request.FILES or None, instance=creditor
    )
    if request.method == "POST":
        _require_manager(request)
        if form.is_valid():
            form.save()
            if MONEY_TERMS.intersection(form.changed_data):
                # The statements of its claims changed: store them again.
                services.claims_refresh_figures(creditor_ids=[creditor.pk])
            messages.success(request, _("Paramètres enregistrés."))
            return redirect("claims:settings")
    return render(
        request,
        "claims/settings.html",
        {"membership": membership, "form": form, "tab": "creditor"},
    )


@login_required
def settings_scenarios(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    from django.db.models import Q

    scenarios = (
        Scenario.objects.filter(
            Q(creditor__isnull=True) | Q(creditor_id=membership.creditor_id)
        )
        .prefetch_related("steps")
        .order_by("country", "debtor_kind", "creditor_id", "name")
    )
    return render(
        request,
        "claims/settings_scenarios.html",
        {"membership": membership, "scenarios": scenarios, "tab": "scenarios"},
    )


@login_required
def settings_members(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST":
        _require_manager(request)
        if form.is_valid():
            try:
                member_invite(
                    actor=membership,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    request=request,
                )
            except PermissionDenied:
                form.add_error(
                    "role", _("Seul un propriétaire peut inviter un propriétaire.")
                )
            else:
                # The same answer whether the address has an account or not.
                messages.success(
                    request,
                    _(
                        "Invitation envoyée à %(e)s : la personne rejoint l'équipe "
                        "quand elle l'accepte."
                    )
                    % {"e": form.cleaned_data["email"]},
                )
                return redirect("claims:settings_members")
    members = (
        Membership.objects.filter(creditor_id=membership.creditor_id)
        .select_related("user")
        .order_by("user__username")
    )
    return render(
        request,
        "claims/settings_members.html",
        {
            "membership": membership,
            "members": members,
            "form": form,
            "roles": [
                (value, label)
                for value, label in Role.choices
                if value != Role.OWNER or membership.role == Role.OWNER
            ],
            "invitations": Invitation.objects.filter(
                creditor_id=membership.creditor_id,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            ).order_by("-created_at"),
            "tab": "members",
        },
    )


@require_POST
@login_required
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _require_manager(request)
    target = get_object_or_404(Membership, pk=pk, creditor_id=membership.creditor_id)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            member_role_change(
                actor=membership,
                target=target,
                role=form.cleaned_data["role"],
                request=request,
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("Action non autorisée."))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Rôle modifié."))
    return redirect("claims:settings_members")


@require_POST
@login_required
def switch_creditor(request: HttpRequest) -> HttpResponse:
    """Act for another creditor the user belongs to (kept in the session)."""
    wanted = uuid_or_none(request.POST.get("creditor"))
    membership = get_object_or_404(
        Membership, user_id=request.user.pk, creditor__code=wanted
    )
    request.session[SESSION_KEY] = membership.creditor_id
    membership_remember(membership)
    messages.info(
        request,
        _("Vous travaillez maintenant pour %(c)s.") % {"c": membership.creditor},
    )
    return redirect("claims:dashboard")
