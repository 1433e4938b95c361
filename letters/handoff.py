"""Hand-off screens: the directory of bailiffs and lawyers (settings), the
general terms upload, the hand-off file for a chosen recipient, and the
post office's proofs of registered letters.

Directory and terms: owners and managers (``can_manage``); hand-off file and
proofs: members who may write. Everything is scoped to the user's creditor: an
object of another creditor answers 404.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.http import FileResponse
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from claims.models import AuditEntry
from claims.models import LegalContact
from claims.models import Membership
from claims.security.access import current_membership
from claims.security.access import get_claim_for_user
from claims.security.access import require_write
from claims.security.audit import audit_record
from letters.bailiff import COVER_LANGUAGES
from letters.models import Document
from letters.models import PostalProof
from letters.portal.uploads import validate_upload
from letters.services import bailiff_file_build
from letters.services import document_bytes
from letters.services import postal_proof_record


def _require_manager(request: HttpRequest) -> Membership:
    membership = current_membership(request)
    if not membership.can_manage:
        raise PermissionDenied
    return membership


class ContactForm(forms.ModelForm):
    class Meta:
        model = LegalContact
        fields = [
            "kind",
            "name",
            "firm",
            "address",
            "email",
            "phone",
            "enterprise_number",
            "language",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class TermsForm(forms.Form):
    terms_file = forms.FileField(label=gettext_lazy("Conditions générales (PDF)"))

    def clean_terms_file(self):
        upload = validate_upload(self.cleaned_data["terms_file"])
        if upload.content_type != "application/pdf":
            raise ValidationError(_("Les conditions générales s'envoient en PDF."))
        return upload


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    """The creditor's bailiffs and lawyers, and its general terms."""
    membership = current_membership(request)
    form = ContactForm(request.POST or None, prefix="contact")
    if request.method == "POST":
        _require_manager(request)
        form.instance.creditor_id = membership.creditor_id
        if form.is_valid():
            form.save()
            messages.success(request, _("Mandataire ajouté à l'annuaire."))
            return redirect("letters:directory")
    return render(
        request,
        "letters/directory.html",
        {
            "membership": membership,
            "tab": "directory",
            "form": form,
            "terms_form": TermsForm(),
            "contacts": LegalContact.objects.for_creditor(membership.creditor_id),
            "creditor": membership.creditor,
        },
    )


@login_required
def contact_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    membership = current_membership(request)
    contact = get_object_or_404(
        LegalContact.objects.for_creditor(membership.creditor_id), code=code
    )
    form = ContactForm(request.POST or None, instance=contact, prefix="contact")
    if request.method == "POST":
        _require_manager(request)
        if form.is_valid():
            form.save()
            messages.success(request, _("Mandataire modifié."))
            return redirect("letters:directory")
    return render(
        request,
        "letters/contact_edit.html",
        {
            "membership": membership,
            "tab": "directory",
            "form": form,
            "contact": contact,
        },
    )


@require_POST
@login_required
def contact_delete(request: HttpRequest, code: UUID) -> HttpResponse:
    membership = _require_manager(request)
    contact = get_object_or_404(
        LegalContact.objects.for_creditor(membership.creditor_id), code=code
    )
    try:
        contact.delete()
    except ProtectedError:
        messages.error(
            request,
            _("Ce mandataire suit un dossier judiciaire : il reste dans l'annuaire."),
        )
    else:
        messages.success(request, _("Mandataire retiré de l'annuaire."))
    return redirect("letters:directory")


@require_POST
@login_required
def terms_upload(request: HttpRequest) -> HttpResponse:
    membership = _require_manager(request)
    form = TermsForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("terms_file", []):
            messages.error(request, error)
        return redirect("letters:directory")
    upload = form.cleaned_data["terms_file"]
    creditor = membership.creditor
    upload.seek(0)
    creditor.terms_sha256 = hashlib.sha256(upload.read()).hexdigest()
    upload.seek(0)
    creditor.terms_file.save(upload.name, upload, save=False)
    creditor.save(update_fields=["terms_file", "terms_sha256"])
    messages.success(request, _("Conditions générales enregistrées."))
    return redirect("letters:directory")


@login_required
def terms_download(request: HttpRequest) -> HttpResponse:
    creditor = current_membership(request).creditor
    if not creditor.terms_file:
        raise Http404
    return FileResponse(
        creditor.terms_file.open("rb"), as_attachment=True, filename="terms.pdf"
    )


class HandoffFileForm(forms.Form):
    recipient = forms.ModelChoiceField(
        label=gettext_lazy("Destinataire"),
        queryset=LegalContact.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("— sans destinataire désigné —"),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Langue de la lettre"),
        choices=[("", gettext_lazy("celle du destinataire"))]
        + [(x, x.upper()) for x in COVER_LANGUAGES],
        required=False,
    )

    def __init__(self, *args, creditor_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = LegalContact.objects.for_creditor(
            creditor_id
        )


@require_POST
@login_required
def handoff_file(request: HttpRequest, code: UUID) -> HttpResponse:
    """Build, archive and download the hand-off ZIP for the chosen recipient."""
    membership = require_write(request)
    claim = get_claim_for_user(request, code)
    form = HandoffFileForm(request.POST, creditor_id=membership.creditor_id)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(claim.get_absolute_url() + "#handoff")
    doc = bailiff_file_build(
        claim=claim,
        today=timezone.localdate(),
        actor=request.user,
        recipient=form.cleaned_data["recipient"],
        language=form.cleaned_data["language"],
    )
    audit_record(
        kind=AuditEntry.Kind.DOCUMENT_DOWNLOAD,
        request=request,
        creditor=membership.creditor_id,
        detail={"document": doc.pk, "sha256": doc.sha256},
    )
    response = HttpResponse(document_bytes(document=doc), content_type=doc.mime_type)
    name = doc.file.name.rsplit("/", 1)[-1]
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Digest"] = f"sha-256={doc.sha256}"
    return response


class ProofForm(forms.Form):
    document = forms.ModelChoiceField(
        label=gettext_lazy("Courrier recommandé"),
        queryset=Document.objects.none(),
        to_field_name="code",
    )
    receipt_number = forms.CharField(
        label=gettext_lazy("Numéro de l'envoi recommandé"), max_length=40
    )
    posted_on = forms.DateField(
        label=gettext_lazy("Déposé le"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    scan = forms.FileField(label=gettext_lazy("Preuve de dépôt (PDF, PNG, JPEG, 5 Mo)"))

    def __init__(self, *args, claim, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = registered_documents(claim)

    def clean_scan(self):
        return validate_upload(self.cleaned_data["scan"])


def registered_documents(claim) -> object:
    return Document.objects.filter(
        claim=claim, creditor_id=claim.creditor_id, channel="registered"
    ).order_by("rendered_at", "pk")


@require_POST
@login_required
def proof_upload(request: HttpRequest, code: UUID) -> HttpResponse:
    """Record a registered letter's receipt number and the post office scan."""
    require_write(request)
    claim = get_claim_for_user(request, code)
    form = ProofForm(request.POST, request.FILES, claim=claim)
    if form.is_valid():
        data = form.cleaned_data
        try:
            postal_proof_record(
                document=data["document"],
                receipt_number=data["receipt_number"],
                posted_on=data["posted_on"],
                scan=data["scan"],
                actor=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Preuve d'envoi recommandé enregistrée."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(claim.get_absolute_url() + "#handoff")


@login_required
def proof_download(request: HttpRequest, code: UUID) -> HttpResponse:
    """The scan, to the creditor's members only (another creditor: 404)."""
    membership = current_membership(request)
    proof = get_object_or_404(
        PostalProof.objects.for_creditor(membership.creditor_id), code=code
    )
    audit_record(
        kind=AuditEntry.Kind.DOCUMENT_DOWNLOAD,
        request=request,
        creditor=membership.creditor_id,
        detail={"postal_proof": proof.pk, "sha256": proof.scan_sha256},
    )
    response = FileResponse(
        proof.scan.open("rb"),
        as_attachment=True,
        filename=proof.scan.name.rsplit("/", 1)[-1],
        content_type=proof.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
