"""The debtor's pages. Every page is reached through a token kept in the session
(the link's token is swapped for a session at once so it does not linger in
the address bar or in Referer headers)."""

from __future__ import annotations

from datetime import date
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST

from claims.engine.plans import plan_signed_online
from claims.ledger.statements import amount_to_pay
from claims.ledger.statements import claim_statement
from claims.models import Claim
from claims.models import Creditor
from claims.models import PaymentPlan
from claims.models import PortalToken
from claims.security.net import client_ip
from letters.models import Document
from letters.payment import epc_qr
from letters.payment import payment_reference
from letters.payment import payment_request_payload
from letters.plan_notices import plan_document_archive
from letters.plan_notices import plan_pdf
from letters.portal import services
from letters.portal.forms import DisputeForm
from letters.portal.forms import PaidForm
from letters.portal.forms import PlanForm
from letters.portal.forms import ShortCodeForm
from letters.portal.guard import SESSION_TOKEN
from letters.portal.guard import harden
from letters.portal.guard import invalid
from letters.portal.guard import over_limit
from letters.portal.guard import portal_language
from letters.portal.guard import portal_page
from letters.portal.guard import too_many
from letters.portal.tokens import portal_code_resolve
from letters.portal.tokens import portal_token_by_id
from letters.portal.tokens import portal_token_resolve
from letters.portal.tokens import token_hash
from letters.portal.uploads import CONTENT_TYPES


def _today(creditor: Creditor) -> date:
    return timezone.localdate(timezone=ZoneInfo(creditor.time_zone))


def _claims(token: PortalToken) -> QuerySet[Claim]:
    """The claims this token opens: its claim, or the debtor's open claims."""
    qs = Claim.objects.for_creditor(token.creditor_id).filter(debtor_id=token.debtor_id)
    return qs.filter(pk=token.claim_id) if token.claim_id else qs.open()


def _claim(token: PortalToken, code: UUID) -> Claim:
    return get_object_or_404(
        _claims(token).select_related("creditor", "debtor"), code=code
    )


def _start_session(request: HttpRequest, token: PortalToken) -> HttpResponse:
    request.session.cycle_key()  # no session fixation into a debtor's access
    request.session[SESSION_TOKEN] = token.pk
    if token.claim_id:
        return redirect("portal:claim", code=token.claim.code)
    return redirect("portal:home")


@require_http_methods(["GET"])
def enter(request: HttpRequest, token: str) -> HttpResponse:
    """The personal link: check it, open a portal session, redirect."""
    lang = portal_language(request, None)
    if over_limit(request, f"link:{token_hash(token[:200])}") or over_limit(
        request, "anonymous"
    ):
        return too_many(request)
    found = portal_token_resolve(token)
    if found is None:
        with translation.override(lang):
            return harden(invalid(request), lang)
    return harden(_start_session(request, found), lang)


@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """Paper letters: short code + postal code or invoice number."""
    lang = portal_language(request, None)
    if over_limit(request, "code"):
        return too_many(request)
    form = ShortCodeForm(request.POST or None)
    with translation.override(lang):
        if request.method == "POST" and form.is_valid():
            found = portal_code_resolve(
                form.cleaned_data["code"], form.cleaned_data["proof"]
            )
            if found is not None:
                return harden(_start_session(request, found), lang)
            form.add_error(
                None, _("Ces informations ne permettent pas d'ouvrir un accès.")
            )
        return harden(render(request, "portal/code.html", {"form": form}), lang)


@portal_page
def home(request: HttpRequest, token: PortalToken) -> HttpResponse:
    claims = list(_claims(token).order_by("oldest_due_date"))
    if len(claims) == 1:
        return redirect("portal:claim", code=claims[0].code)
    return render(
        request,
        "portal/home.html",
        {"token": token, "claims": claims, "creditor": token.creditor},
    )


def _claim_context(token: PortalToken, claim: Claim) -> dict[str, object]:
    today = _today(claim.creditor)
    statement = claim_statement(claim=claim, at=today)
    # The same payment request as the letters (letters.payment).
    qr_payload = payment_request_payload(
        statement=statement,
        name=claim.creditor.legal_name,
        iban=claim.creditor.iban,
        bic=claim.creditor.bic,
        reference=payment_reference(
            country=claim.creditor.country,
            structured_reference=claim.structured_reference,
            claim_reference=claim.reference,
        ),
        claim_reference=claim.reference,
    )
    qr = epc_qr(qr_payload).svg_inline(scale=4) if qr_payload else ""
    return {
        "token": token,
        "claim": claim,
        "creditor": claim.creditor,
        "statement": statement,
        "invoices": list(claim.invoices.all()),
        "documents": list(
            Document.objects.for_creditor(claim.creditor_id).filter(
                claim=claim, debtor_id=token.debtor_id, sent_at__isnull=False
            )
        ),
        "disputes": list(claim.disputes.select_related("invoice")),
        "plans": list(claim.plans.prefetch_related("instalments")),
        "qr_svg": qr,
        "qr_payload": qr_payload,
        "amount_to_pay": amount_to_pay(statement),
        "today": today,
        "several": token.claim_id is None,
    }


@portal_page
def claim_detail(request: HttpRequest, token: PortalToken, code: UUID) -> HttpResponse:
    claim = _claim(token, code)
    services.portal_visit_record(token=token, claim=claim, page="claim")
    context = _claim_context(token, claim)
    context.update(
        paid_form=PaidForm(),
        dispute_form=DisputeForm(claim=claim),
        plan_form=PlanForm(),
    )
    return render(request, "portal/claim.html", context)


def _form_errors(form: object, exc: ValidationError) -> None:
    """A service's refusal shown on the form's fields (or above it)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None  # type: ignore[attr-defined]
            for e in errors:
                form.add_error(target, e)  # type: ignore[attr-defined]
    else:
        for msg in exc.messages:
            form.add_error(None, msg)  # type: ignore[attr-defined]


def _rerender(
    request: HttpRequest, token: PortalToken, claim: Claim, **forms: object
) -> HttpResponse:
    context = _claim_context(token, claim)
    context.update(
        paid_form=PaidForm(),
        dispute_form=DisputeForm(claim=claim),
        plan_form=PlanForm(),
    )
    context.update(forms)
    return render(request, "portal/claim.html", context, status=400)


@require_POST
@portal_page
def declare_paid(request: HttpRequest, token: PortalToken, code: UUID) -> HttpResponse:
    claim = _claim(token, code)
    form = PaidForm(request.POST, request.FILES)
    if not form.is_valid():
        return _rerender(request, token, claim, paid_form=form)
    paused_before = claim.paused_until
    try:
        claim = services.portal_payment_declared(
            token=token,
            claim=claim,
            paid_on=form.cleaned_data["paid_on"],
            amount=form.cleaned_data["amount"],
            proof=form.cleaned_data["proof"],
            today=_today(claim.creditor),
        )
    except ValidationError as exc:
        _form_errors(form, exc)
        return _rerender(request, token, claim, paid_form=form)
    if claim.paused_until != paused_before or claim.paused_until:
        text = _(
            "Merci. Nous vérifions votre paiement; les rappels sont suspendus quelques jours."
        )
    else:
        text = _(
            "Merci. Votre déclaration est transmise au créancier, qui la vérifiera "
            "sur ses relevés bancaires."
        )
    messages.success(request, text)
    return redirect("portal:claim", code=claim.code)


@require_POST
@portal_page
def dispute(request: HttpRequest, token: PortalToken, code: UUID) -> HttpResponse:
    claim = _claim(token, code)
    form = DisputeForm(request.POST, request.FILES, claim=claim)
    if not form.is_valid():
        return _rerender(request, token, claim, dispute_form=form)
    services.portal_dispute_open(
        token=token,
        claim=claim,
        reason=form.cleaned_data["reason"],
        invoice_id=form.cleaned_data["invoice"],
        amount=form.cleaned_data["amount"],
        attachment=form.cleaned_data["attachment"],
    )
    messages.success(
        request,
        _(
            "Votre contestation est enregistrée. Le créancier vous répondra; les rappels automatiques sont arrêtés."
        ),
    )
    return redirect("portal:claim", code=claim.code)


@require_POST
@portal_page
def plan_request(request: HttpRequest, token: PortalToken, code: UUID) -> HttpResponse:
    claim = _claim(token, code)
    form = PlanForm(request.POST)
    today = _today(claim.creditor)
    total = amount_to_pay(claim_statement(claim=claim, at=today))
    if form.is_valid():
        try:
            services.portal_plan_request(
                token=token,
                claim=claim,
                total=total,
                count=form.cleaned_data["count"],
                first_on=form.cleaned_data["first_on"],
                note=form.cleaned_data["note"],
                today=today,
            )
        except (ValidationError, ValueError):
            form.add_error(
                "first_on", _("La première mensualité doit tomber dans les 60 jours.")
            )
        else:
            messages.success(
                request, _("Votre demande de plan est envoyée au créancier.")
            )
            return redirect("portal:claim", code=claim.code)
    return _rerender(request, token, claim, plan_form=form)


@require_POST
@portal_page
def plan_accept(request: HttpRequest, token: PortalToken, code: UUID) -> HttpResponse:
    plan = get_object_or_404(
        PaymentPlan.objects.filter(claim__in=_claims(token)).select_related("claim"),
        code=code,
    )
    if services.portal_plan_accept_counter(
        token=token, plan=plan, ip=client_ip(request)
    ):
        messages.success(request, _("Plan accepté. Merci !"))
    return redirect("portal:claim", code=plan.claim.code)


def _plan(token: PortalToken, code: UUID, *statuses: str) -> PaymentPlan:
    return get_object_or_404(
        PaymentPlan.objects.filter(
            claim__in=_claims(token), status__in=statuses
        ).select_related("claim__creditor", "claim__debtor"),
        code=code,
    )


@require_POST
@portal_page
def plan_sign(request: HttpRequest, token: PortalToken, code: UUID) -> HttpResponse:
    """The debtor accepts, by a click, the terms of a plan the creditor granted:
    time and IP address recorded, the signed plan document archived."""
    plan = _plan(token, code, PaymentPlan.Status.ACTIVE)
    if plan_signed_online(plan=plan, ip=client_ip(request)):
        plan_document_archive(plan=plan, at=_today(plan.claim.creditor))
        messages.success(request, _("Plan signé en ligne. Merci !"))
    return redirect("portal:claim", code=plan.claim.code)


@portal_page
def plan_download(request: HttpRequest, token: PortalToken, code: UUID) -> HttpResponse:
    """The plan document, to read before accepting (or to print and sign)."""
    plan = _plan(token, code, PaymentPlan.Status.PROPOSED, PaymentPlan.Status.ACTIVE)
    pdf = plan_pdf(plan=plan, at=_today(plan.claim.creditor))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="plan-{plan.claim.reference}.pdf"'
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _attachment(fieldfile: object, name: str, content_type: str) -> FileResponse:
    response = FileResponse(
        fieldfile.open("rb"),  # type: ignore[attr-defined]
        as_attachment=True,
        filename=name,
        content_type=content_type,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@portal_page
def document_download(
    request: HttpRequest, token: PortalToken, code: UUID
) -> HttpResponse:
    doc = get_object_or_404(
        Document.objects.for_creditor(token.creditor_id)
        .filter(
            claim__in=_claims(token), debtor_id=token.debtor_id, sent_at__isnull=False
        )
        .select_related("claim"),
        code=code,
    )
    services.portal_document_downloaded(token=token, claim=doc.claim, title=doc.title)
    ext = (
        "pdf"
        if doc.mime_type == "application/pdf"
        else doc.file.name.rsplit(".", 1)[-1]
    )
    return _attachment(
        doc.file, f"{doc.kind}-{doc.claim.reference}.{ext}", doc.mime_type
    )


@portal_page
def invoice_download(
    request: HttpRequest, token: PortalToken, code: UUID
) -> HttpResponse:
    claim_ids = _claims(token).values("pk")
    invoice = get_object_or_404(
        token.creditor.invoices.filter(claim__in=claim_ids).exclude(attachment=""),
        code=code,
    )
    services.portal_document_downloaded(
        token=token, claim=invoice.claim, title=f"facture {invoice.number}"
    )
    ext = invoice.attachment.name.rsplit(".", 1)[-1].lower()
    if ext not in CONTENT_TYPES:
        raise Http404
    return _attachment(
        invoice.attachment, f"{invoice.number}.{ext}", CONTENT_TYPES[ext]
    )


def privacy(request: HttpRequest) -> HttpResponse:
    """GDPR notice; names the creditor when a portal session is open."""
    if over_limit(request, "privacy"):
        return too_many(request)
    token_id = request.session.get(SESSION_TOKEN)
    token = portal_token_by_id(int(token_id)) if token_id else None
    lang = portal_language(request, token)
    with translation.override(lang):
        response = render(
            request,
            f"portal/privacy_{lang}.html",
            {"creditor": token.creditor if token else None, "lang": lang},
        )
    return harden(response, lang)
