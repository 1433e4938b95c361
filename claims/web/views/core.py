"""Browser pages of the claims app: dashboard, lists and the claim workspace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from claims.engine.run import claim_send_days
from claims.engine.run import collection_forecast
from claims.engine.stages import HOLDING
from claims.engine.stages import hold_reason
from claims.l10n import format_amount
from claims.law.rates import RateUnavailable
from claims.law.statement import FALLBACK_WARNING
from claims.ledger import selectors
from claims.ledger.statements import claim_statement
from claims.ledger.statements import creditor_today
from claims.models import Action
from claims.models import Claim
from claims.models import Debtor
from claims.models import Stage
from claims.security.access import current_membership
from claims.security.access import get_claim_for_user
from claims.security.access import get_debtor_for_user
from claims.web.filters import ClaimFilter
from claims.web.views.actions import engine_service
from claims.web.views.actions import letter_url
from claims.web.views.reversals import ledger_entries

RECOVERY_LABELS = {
    "before_reminder": _("Avant tout rappel"),
    "amicable": _("Rappels amiables"),
    "formal_notice": _("Mise en demeure"),
    "judicial": _("Huissier / judiciaire"),
}


FORECAST_ROWS = 50  # the dashboard lists the first 50 messages of the forecast


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    creditor_id = membership.creditor_id
    today = timezone.localdate()
    figures = selectors.dashboard_figures(creditor_id=creditor_id, today=today)
    cash = selectors.cash_by_month(
        creditor_id=creditor_id, today=today, figures=figures
    )
    sales = selectors.invoiced_by_month(
        creditor_id=creditor_id, today=today, figures=figures
    )
    cei = selectors.cei_inputs(creditor_id=creditor_id, today=today, figures=figures)
    buckets = [
        {
            "key": key,
            "label": label,
            "amount": figures[f"age_{key}"],
            "count": figures[f"age_{key}_count"],
        }
        for key, label in _age_labels()
    ]
    recovery = selectors.recovery_by_stage(creditor_id=creditor_id, figures=figures)
    for row in recovery:
        row["label"] = RECOVERY_LABELS[row["key"]]
    decisions = _decisions(
        request, creditor_id=creditor_id, today=today, figures=figures
    )
    context = {
        "membership": membership,
        "today": today,
        "figures": figures,
        "buckets": buckets,
        "cash": cash,
        "cash_any": any(c["total"] for c in cash),
        "collected_this_month": cash[-1]["total"],
        "collected_last_month": cash[-2]["total"],
        "dso": selectors.dso_count_back(
            receivables=figures["outstanding"], monthly_sales=sales, today=today
        ),
        "cei": selectors.collection_effectiveness(**cei),
        "recovery": recovery,
        "forecast": collection_forecast(
            creditor_id=creditor_id, today=today, limit=FORECAST_ROWS
        )[:FORECAST_ROWS],
        "decisions": decisions,
        # Listed only when there are some (the count comes with the decisions).
        "uncertain": list(selectors.actions_uncertain(creditor_id=creditor_id)[:20])
        if decisions["uncertain"]
        else [],
        "show_claim": True,
        "chart_aging": {
            "labels": [str(label) for _k, label in _age_labels()],
            "values": [str(b["amount"]) for b in buckets],
        },
        "chart_cash": {
            "labels": [c["month"].strftime("%m/%Y") for c in cash],
            "values": [str(c["total"]) for c in cash],
        },
    }
    return render(request, "claims/dashboard.html", context)


def _decisions(
    request: HttpRequest, *, creditor_id: int, today: date, figures: dict
) -> dict[str, int]:
    """What needs a decision; the "rate not published yet" notice only for staff.

    The rate tables are kept by the operators (admin, system check
    claims.W001); the shop owner can do nothing about it (issue item 7).
    """
    decisions = selectors.decisions_needed(
        creditor_id=creditor_id, today=today, figures=figures
    )
    if not request.user.is_staff:
        decisions["total"] -= min(decisions.get("missing_rate", 0), 1)
        decisions["missing_rate"] = 0
    return decisions


def _age_labels() -> list[tuple[str, str]]:
    from claims.web.filters import AGE_CHOICES

    return list(AGE_CHOICES)


def _claims_filter(request: HttpRequest, creditor_id: int) -> ClaimFilter:
    base = Claim.objects.for_creditor(creditor_id).select_related("debtor")
    return ClaimFilter(request.GET, queryset=base, request=request)


@login_required
def claim_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    claim_filter = _claims_filter(request, membership.creditor_id)
    qs = claim_filter.qs
    if request.GET.get("format") == "csv":
        return _claims_csv(qs, membership.creditor_id)
    paginator = Paginator(qs, 50)
    if claim_filter.is_valid() and not set(claim_filter.form.changed_data) - {"sort"}:
        # The unfiltered list is the open claims: their count is a stored
        # figure of the dashboard (one row read, not a count of every claim).
        today = timezone.localdate()
        paginator.count = selectors.dashboard_figures(
            creditor_id=membership.creditor_id, today=today
        )["outstanding_count"]
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    _claim_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "claims/claim_list.html",
        {
            "membership": membership,
            "page": page,
            "filter": claim_filter,
            "query": query.urlencode(),
            "today": timezone.localdate(),
        },
    )


def _claim_rows(claims: Any) -> None:
    """The cells of the list that cost most in the template, built once per
    row in Python: the balance and its breakdown (one ``format_amount`` per
    amount), the checkbox label and the link."""
    url = reverse("claims:claim_detail", kwargs={"code": UUID(int=0)})
    blank = str(UUID(int=0))
    breakdown = gettext("Principal %(p)s, intérêts %(i)s, frais %(c)s (au %(d)s)")
    choose = gettext("Choisir %(r)s")
    for claim in claims:
        currency = claim.currency
        claim.row_url = url.replace(blank, str(claim.code))
        claim.row_balance = format_amount(claim.balance, currency)
        claim.row_choose = choose % {"r": claim.reference}
        claim.row_breakdown = (
            breakdown
            % {
                "p": format_amount(claim.due_principal, currency),
                "i": format_amount(claim.due_interest, currency),
                "c": format_amount(claim.due_costs, currency),
                "d": claim.figures_at.strftime("%d/%m/%Y"),
            }
            if claim.figures_at
            else ""
        )


def _claims_csv(qs: QuerySet[Claim], creditor_id: int) -> HttpResponse:
    """The filtered list as CSV: the same writer and columns as the exports page."""
    from claims.models import Creditor
    from claims.web import exports

    creditor = Creditor.objects.get(pk=creditor_id)
    header, rows = exports.claims_rows(creditor=creditor, queryset=qs)
    response = HttpResponse(
        exports.to_csv(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="creances.csv"'
    return response


@login_required
def claim_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    membership = current_membership(request)
    claim = get_claim_for_user(request, code)
    # The statement on the creditor's today: the date the stored figures use.
    today = creditor_today(claim.creditor)
    invoices = list(claim.invoices.all())
    payments = list(claim.payments.all())
    # The statement reads invoices and payments through the prefetch cache.
    claim._prefetched_objects_cache = {"invoices": invoices, "payments": payments}  # type: ignore[attr-defined]
    rate_error = ""
    try:
        statement = claim_statement(claim=claim, at=today)
    except RateUnavailable as exc:  # an invoice older than the rate tables
        statement, rate_error = None, exc.message
    listed = [Action.State.PLANNED, Action.State.FAILED, Action.State.UNCERTAIN]
    actions = list(
        claim.actions.filter(state__in=listed)
        .select_related("step", "claim")
        .order_by("due_on")
    )
    listed_actions = [a for a in actions if a.state != Action.State.UNCERTAIN]
    # One projection for the card and the list: when each step really leaves.
    send_days = {a.pk: day for a, day in claim_send_days(claim, listed_actions, today)}
    nxt = _next_step(listed_actions)
    context = {
        "membership": membership,
        "claim": claim,
        "today": today,
        "statement": statement,
        "next_step": nxt,
        "next_send_day": send_days[nxt.pk] if nxt is not None else None,
        "claim_actions": claim_actions(claim, listed_actions, membership),
        # The "rate not published yet" notice is for the staff who keep the
        # rate tables; the owner sees the interest line marked provisional.
        "warnings": [
            w
            for w in (statement.warnings if statement is not None else ())
            if request.user.is_staff or w != gettext(FALLBACK_WARNING)
        ],
        "rate_error": rate_error,
        "invoices": invoices,
        "payments": payments,
        "events": claim.events.order_by("-at")[:100],
        "actions": [(a, send_days.get(a.pk)) for a in listed_actions],
        "uncertain": [a for a in actions if a.state == Action.State.UNCERTAIN],
        "held_reason": hold_reason(claim.stage),
        "plan": _active_plan(claim, today),
        "documents": _documents(claim),
        "ledger_entries": ledger_entries(
            claim=claim, invoices=invoices, payments=payments
        ),
    }
    return render(request, "claims/claim_detail.html", context)


def _next_step(actions: list[Action]) -> Action | None:
    """The step the engine will send next: the first planned one by date."""
    planned = [a for a in actions if a.state == Action.State.PLANNED]
    return min(planned, key=lambda a: (a.due_on, a.step.position), default=None)


def claim_actions(
    claim: Claim, actions: list[Action], membership: object
) -> dict[str, object]:
    """One primary action and a menu of what applies to the claim's state.

    A read-only member gets none. A disputed claim's primary action is to
    settle the dispute; a claim whose amicable path is over, to choose a
    procedure; otherwise recording a payment. "Send now" and "skip" name the
    step they act on; "close the dispute" exists only with a dispute.
    """
    if not getattr(membership, "can_write", False) or claim.status != "open":
        return {"primary": None, "more": []}
    code = claim.code
    stage = claim.stage
    nxt = _next_step(actions)
    sendable = nxt is not None and nxt.step.channel != "call"

    def engine(key: str, label: object) -> dict[str, object] | None:
        if engine_service(key) is None:
            return None
        return {
            "label": label,
            "url": reverse(
                "claims:claim_engine_action", kwargs={"code": code, "key": key}
            ),
        }

    def page(name: str, label: object) -> dict[str, object]:
        return {"label": label, "url": reverse(name, kwargs={"code": code})}

    payment = page("claims:claim_payment", _("Enregistrer un paiement"))
    items: list[dict[str, object] | None] = []
    if stage == Stage.DISPUTED:
        primary = engine("dispute_resolve", _("Trancher la contestation"))
    elif claim.amicable_exhausted_on and stage != Stage.JUDICIAL:
        primary = page("claims:claim_routes", _("Choisir une procédure"))
    else:
        primary = payment
    if primary is not payment:
        items.append(payment)
    if sendable and stage not in HOLDING:
        items.append(
            engine(
                "send_next",
                _("Envoyer maintenant : %(step)s")
                % {"step": nxt.step.get_kind_display()},
            )
        )
    if nxt is not None and stage != Stage.DISPUTED:
        items.append(
            engine(
                "skip",
                _("Ne pas envoyer : %(step)s") % {"step": nxt.step.get_kind_display()},
            )
        )
    if stage not in (Stage.DISPUTED, Stage.PAUSED):
        items.append(
            page(
                "claims:claim_pause", _("Promesse de paiement : suspendre les relances")
            )
        )
        items.append(engine("dispute_open", _("Enregistrer une contestation")))
    items.append(page("claims:claim_note", _("Ajouter une note")))
    formal_notice_next = nxt is not None and nxt.step.kind == "formal_notice"
    if not formal_notice_next and letter_url("formal_notice", code):
        items.append(
            {
                "label": _("Produire une mise en demeure en PDF (sans l'envoyer)"),
                "url": reverse(
                    "claims:claim_letter", kwargs={"code": code, "key": "formal_notice"}
                ),
            }
        )
    if stage in (Stage.AMICABLE, Stage.FORMAL_NOTICE) and not (
        claim.amicable_exhausted_on
    ):
        items.append(
            engine("escalate", _("Arrêter les relances amiables (voie judiciaire)"))
        )
    if primary is None or primary.get("url") != reverse(
        "claims:claim_routes", kwargs={"code": code}
    ):
        items.append(page("claims:claim_routes", _("Conseil : quelle procédure ?")))
    items.append(
        {
            "label": _("Dossier huissier / avocat"),
            "url": f"{reverse('claims:claim_detail', kwargs={'code': code})}#handoff",
        }
    )
    items.append(engine("close", _("Clôturer la créance")))
    return {"primary": primary, "more": [i for i in items if i is not None]}


def _active_plan(claim: Claim, today: date) -> dict[str, object] | None:
    """The accepted payment plan shown on the claim page: instalments, next due."""
    from claims.models import PaymentPlan

    plan = (
        claim.plans.filter(status=PaymentPlan.Status.ACTIVE)
        .prefetch_related("instalments")
        .first()
    )
    if plan is None:
        return None
    instalments = list(plan.instalments.all())
    upcoming = [i for i in instalments if i.paid < i.amount]
    return {
        "plan": plan,
        "instalments": instalments,
        "next": upcoming[0] if upcoming else None,
    }


def _documents(claim: Claim) -> list[object]:
    """The claim's documents, when the letters app exposes a download page."""
    from django.apps import apps

    try:
        document = apps.get_model("letters", "Document")
    except LookupError:
        return []
    fields = {f.name for f in document._meta.get_fields()}
    if "claim" not in fields:
        return []
    docs = list(document.objects.filter(claim=claim).order_by("-pk")[:50])
    for doc in docs:
        try:
            doc.download_url = reverse(
                "letters:document_download", kwargs={"code": doc.code}
            )
        except NoReverseMatch:
            doc.download_url = ""
    return docs


@login_required
def debtor_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    qs = selectors.debtors_with_exposure(creditor_id=membership.creditor_id)
    search = request.GET.get("q", "").strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(enterprise_number__icontains=search)
            | Q(vat_number__icontains=search)
            | Q(email__icontains=search)
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "claims/debtor_list.html",
        {
            "membership": membership,
            "page": page,
            "search": search,
            "query": f"q={search}",
        },
    )


@login_required
def debtor_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    membership = current_membership(request)
    debtor: Debtor = get_debtor_for_user(request, code)
    claims = list(debtor.claims.order_by("status", "-created_at"))
    exposure = sum((c.balance for c in claims if c.status == "open"), Decimal("0.00"))
    return render(
        request,
        "claims/debtor_detail.html",
        {
            "membership": membership,
            "debtor": debtor,
            "claims": claims,
            "exposure": exposure,
            "contacts": debtor.contacts.all(),
        },
    )
