"""Letters views: download archived documents, generate letters and hand-off files,
edit wording overrides. Everything is scoped to the user's creditor (404 otherwise)."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from claims.ledger.statements import creditor_today
from claims.models import Claim
from claims.security.access import current_membership
from claims.security.access import get_claim_for_user
from claims.security.access import require_write
from letters.models import Document
from letters.models import TemplateOverride
from letters.overrides import OVERRIDABLE
from letters.services import LETTER_LANGUAGES
from letters.services import bailiff_file_build
from letters.services import document_bytes
from letters.services import letter_issue
from letters.services import override_preview
from letters.services import override_save


@login_required
def document_download(request: HttpRequest, code: UUID) -> HttpResponse:
    """The archived bytes, unchanged, as an attachment."""
    membership = current_membership(request)
    doc = get_object_or_404(
        Document.objects.filter(creditor_id=membership.creditor_id), code=code
    )
    response = HttpResponse(document_bytes(document=doc), content_type=doc.mime_type)
    name = doc.file.name.rsplit("/", 1)[-1]
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Digest"] = f"sha-256={doc.sha256}"
    return response


@login_required
def plan_download(request: HttpRequest, code: UUID) -> HttpResponse:
    """The plan document as of today, in the debtor's language: to print for a
    signature on paper (the accepted one is archived among the documents)."""
    from claims.models import PaymentPlan
    from letters.plan_notices import plan_pdf

    membership = current_membership(request)
    plan = get_object_or_404(
        PaymentPlan.objects.for_creditor(membership.creditor_id).select_related(
            "claim__creditor", "claim__debtor"
        ),
        code=code,
    )
    pdf = plan_pdf(plan=plan, at=creditor_today(plan.claim.creditor))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="plan-{plan.claim.reference}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
def formal_notice_generate(request: HttpRequest, code: UUID) -> HttpResponse:
    require_write(request)
    claim = get_claim_for_user(request, code)
    doc = letter_issue(
        claim=claim,
        kind="formal_notice",
        at=timezone.localdate(),
        actor=request.user,
        channel="registered",
    )
    messages.success(request, _("Mise en demeure générée : %(t)s") % {"t": doc.title})
    return redirect(claim.get_absolute_url())


@require_POST
@login_required
def bailiff_file(request: HttpRequest, code: UUID) -> HttpResponse:
    require_write(request)
    claim = get_claim_for_user(request, code)
    doc = bailiff_file_build(
        claim=claim, today=timezone.localdate(), actor=request.user
    )
    messages.success(request, _("Dossier huissier prêt : %(t)s") % {"t": doc.title})
    return redirect(claim.get_absolute_url())


class OverrideForm(forms.Form):
    template = forms.ChoiceField(
        label=gettext_lazy("Courrier"), choices=[(t, t) for t in OVERRIDABLE]
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Langue"), choices=[(x, x) for x in LETTER_LANGUAGES]
    )
    body = forms.CharField(
        label=gettext_lazy("Paragraphe d'ouverture"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "Variables : {{ total }}, {{ deadline }}, {{ reference }}, "
            "{{ creditor }}, {{ debtor }}."
        ),
    )


@login_required
def override_edit(request: HttpRequest) -> HttpResponse:
    """Create or edit an override; "preview" renders it on the latest claim."""
    membership = require_write(request)
    initial = {}
    if "template" in request.GET:
        current = TemplateOverride.objects.filter(
            creditor_id=membership.creditor_id,
            template=request.GET.get("template"),
            language=request.GET.get("language", "fr"),
        ).first()
        if current:
            initial = {
                "template": current.template,
                "language": current.language,
                "body": current.body,
            }
    form = OverrideForm(request.POST or None, initial=initial)
    preview = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        claim = (
            Claim.objects.filter(creditor_id=membership.creditor_id)
            .select_related("creditor", "debtor")
            .order_by("-created_at")
            .first()
        )
        try:
            if claim is not None:
                preview = override_preview(
                    claim=claim,
                    template=data["template"],
                    language=data["language"],
                    body=data["body"],
                    at=timezone.localdate(),
                )
            if "save" in request.POST:
                override_save(
                    creditor=membership.creditor,
                    template=data["template"],
                    language=data["language"],
                    body=data["body"],
                )
                messages.success(request, _("Texte enregistré."))
                return redirect("letters:override_list")
        except ValidationError as exc:
            for error in exc.messages:
                form.add_error("body", error)
            preview = ""
    return render(
        request, "letters/override_form.html", {"form": form, "preview": preview}
    )


@login_required
def override_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    overrides = TemplateOverride.objects.filter(
        creditor_id=membership.creditor_id
    ).order_by("template", "language")
    return render(request, "letters/override_list.html", {"overrides": overrides})
