"""Pages of money and data coming in: bank statements, matching queue, CSV, UBL, exports."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
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

from claims.models import BankLine
from claims.models import Claim
from claims.models import ImportJob
from claims.money_in.bank import bank_line_candidates
from claims.money_in.bank import bank_line_ignore
from claims.money_in.bank import bank_line_match
from claims.money_in.bank import bank_statement_import
from claims.money_in.bank import parse_statement
from claims.money_in.formats import ParseError
from claims.money_in.formats import csvfile
from claims.money_in.invoices import ImportRefused
from claims.money_in.invoices import UblItem
from claims.money_in.invoices import import_mapping_get
from claims.money_in.invoices import invoices_csv_import
from claims.money_in.invoices import invoices_csv_preview
from claims.money_in.invoices import ubl_import
from claims.money_in.invoices import ubl_preview
from claims.money_in.jobs import INLINE_BANK_BYTES
from claims.money_in.jobs import INLINE_ROWS
from claims.money_in.jobs import import_job_progress
from claims.money_in.jobs import import_job_start
from claims.security.access import current_membership
from claims.security.access import require_write
from claims.web import exports

MAX_UPLOAD = 20 * 1024 * 1024
_QUEUE = [BankLine.Status.UNMATCHED, BankLine.Status.AMBIGUOUS]


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Fichier"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError(_("Fichier trop volumineux (20 Mo au maximum)."))
        return upload


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UblForm(forms.Form):
    files = forms.FileField(
        label=gettext_lazy("Factures UBL / Peppol (XML)"),
        widget=MultiFileInput(attrs={"multiple": True}),
    )


def _mapping_form(headers: list[str], initial: dict[str, str]) -> type[forms.Form]:
    choices = [("", "—")] + [(h, h) for h in headers]
    fields = {
        name: forms.ChoiceField(
            label=label,
            choices=choices,
            required=name in csvfile.REQUIRED,
            initial=initial.get(name, ""),
        )
        for name, label in csvfile.FIELDS.items()
    }
    return type("MappingForm", (forms.Form,), fields)


# --- bank statements ---------------------------------------------------------


@login_required
def bank_import(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    result = None
    form = UploadForm()
    if request.method == "POST":
        require_write(request)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                if len(data) > INLINE_BANK_BYTES:
                    # Checked whole before queueing: a broken file is refused now.
                    parse_statement(data=data, filename=upload.name)
                    job = import_job_start(
                        creditor=membership.creditor,
                        kind=ImportJob.Kind.BANK,
                        data=data,
                        filename=upload.name,
                        actor=request.user,
                    )
                    return redirect("claims:import_job", pk=job.pk)
                result = bank_statement_import(
                    creditor=membership.creditor,
                    data=data,
                    filename=upload.name,
                    actor=request.user,
                )
            except ParseError as exc:
                form.add_error(
                    "file",
                    _("Fichier refusé, rien n'a été importé : %(e)s") % {"e": exc},
                )
    return render(
        request,
        "claims/imports/bank_import.html",
        {"form": form, "result": result, "can_write": membership.can_write},
    )


@login_required
def bank_queue(request: HttpRequest) -> HttpResponse:
    """Unmatched and ambiguous lines, each with its suggested claims (3 queries)."""
    membership = current_membership(request)
    creditor_id = membership.creditor_id
    lines = list(
        BankLine.objects.for_creditor(creditor_id)
        .filter(status__in=_QUEUE)
        .order_by("-booking_date", "pk")[:200]
    )
    wanted = {pk for line in lines for pk in bank_line_candidates(line)}
    found = (
        Claim.objects.for_creditor(creditor_id)
        .filter(pk__in=wanted)
        .select_related("debtor")
    )
    by_pk = {c.pk: c for c in found}
    for line in lines:
        line.suggested = [by_pk[pk] for pk in bank_line_candidates(line) if pk in by_pk]  # type: ignore[attr-defined]
    query = request.GET.get("q", "").strip()
    results = []
    if query:
        results = list(
            Claim.objects.for_creditor(creditor_id)
            .filter(
                Q(reference__icontains=query)
                | Q(structured_reference__icontains=query)
                | Q(invoices__number__icontains=query)
                | Q(debtor__name__icontains=query),
                status=Claim.Status.OPEN,
            )
            .select_related("debtor")
            .distinct()[:20]
        )
    return render(
        request,
        "claims/imports/bank_queue.html",
        {
            "lines": lines,
            "query": query,
            "results": results,
            "can_write": membership.can_write,
        },
    )


def _line_for_user(request: HttpRequest, key: str) -> BankLine:
    membership = require_write(request)
    return get_object_or_404(
        BankLine.objects.for_creditor(membership.creditor_id), idempotency_key=key
    )


@login_required
@require_POST
def bank_line_match_view(request: HttpRequest, key: str) -> HttpResponse:
    line = _line_for_user(request, key)
    try:
        code = uuid.UUID(request.POST.get("claim", ""))
    except ValueError:
        raise Http404 from None
    claim = get_object_or_404(Claim.objects.for_creditor(line.creditor_id), code=code)
    try:
        bank_line_match(line=line, claim=claim, actor=request.user)
        messages.success(
            request,
            _("Paiement de %(a)s € affecté à %(r)s.")
            % {"a": line.amount, "r": claim.reference},
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("claims:bank_queue")


@login_required
@require_POST
def bank_line_ignore_view(request: HttpRequest, key: str) -> HttpResponse:
    line = _line_for_user(request, key)
    bank_line_ignore(
        line=line, reason=_("Ignorée par %(u)s") % {"u": request.user.get_username()}
    )
    return redirect("claims:bank_queue")


# --- CSV invoices ------------------------------------------------------------

_CSV_SESSION = "imports_csv_file"


@login_required
def csv_import(request: HttpRequest) -> HttpResponse:
    """Step 1: upload. Steps 2-3 (mapping, preview, confirm) are on csv_mapping."""
    membership = require_write(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            csvfile.read_header(data)  # the whole file checked, nothing kept
        except ParseError as exc:
            form.add_error("file", str(exc))
        else:
            name = default_storage.save(
                f"imports/tmp/{membership.creditor_id}-{uuid.uuid4()}.csv",
                ContentFile(data),
            )
            request.session[_CSV_SESSION] = name
            return redirect("claims:csv_mapping")
    return render(request, "claims/imports/csv_upload.html", {"form": form})


@login_required
def csv_mapping(request: HttpRequest) -> HttpResponse:
    membership = require_write(request)
    name = request.session.get(_CSV_SESSION, "")
    if not name.startswith(
        f"imports/tmp/{membership.creditor_id}-"
    ) or not default_storage.exists(name):
        return redirect("claims:csv_import")
    with default_storage.open(name, "rb") as fh:
        data = fh.read()
    headers, rows = csvfile.read_header(data)
    remembered = import_mapping_get(
        creditor=membership.creditor
    ) or csvfile.guess_mapping(headers)
    form = _mapping_form(headers, remembered)(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        mapping = {k: v for k, v in form.cleaned_data.items() if v}
        try:
            if request.POST.get("action") == "import" and rows > INLINE_ROWS:
                job = import_job_start(
                    creditor=membership.creditor,
                    kind=ImportJob.Kind.INVOICES,
                    data=data,
                    filename=name.rsplit("/", 1)[-1],
                    rows_total=rows,
                    mapping=mapping,
                    actor=request.user,
                )
                request.session.pop(_CSV_SESSION, None)
                default_storage.delete(name)
                return redirect("claims:import_job", pk=job.pk)
            if request.POST.get("action") == "import":
                ids = invoices_csv_import(
                    creditor=membership.creditor,
                    data=data,
                    mapping=mapping,
                    actor=request.user,
                )
                default_storage.delete(name)
                request.session.pop(_CSV_SESSION, None)
                messages.success(
                    request, _("%(n)s créance(s) importée(s).") % {"n": len(ids)}
                )
                return redirect("claims:claim_list")
            preview = invoices_csv_preview(
                creditor=membership.creditor, data=data, mapping=mapping
            )
        except ParseError as exc:
            form.add_error(None, str(exc))
        except ImportRefused as exc:
            form.add_error(None, " ".join(exc.messages))
            preview = invoices_csv_preview(
                creditor=membership.creditor, data=data, mapping=mapping
            )
    return render(
        request,
        "claims/imports/csv_mapping.html",
        {
            "form": form,
            "preview": preview,
            "errors": sorted(preview.errors.items())[:200] if preview else [],
            "sample": preview.rows[:20] if preview else [],
        },
    )


# --- imports run in the background -------------------------------------------


def _job_for_user(request: HttpRequest, pk: int) -> ImportJob:
    membership = current_membership(request)
    return get_object_or_404(
        ImportJob.objects.for_creditor(membership.creditor_id), pk=pk
    )


def _job_context(job: ImportJob) -> dict[str, Any]:
    return {
        "job": job,
        "progress": import_job_progress(job),
        "errors": job.errors,
        "skipped": (job.result or {}).get("skipped", []),
    }


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's page: a progress bar while it runs, then its report."""
    job = _job_for_user(request, pk)
    return render(request, "claims/imports/job.html", _job_context(job))


@login_required
def import_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone, polled by the page (htmx) until the end."""
    job = _job_for_user(request, pk)
    return render(request, "claims/imports/_job_progress.html", _job_context(job))


# --- UBL ---------------------------------------------------------------------

_UBL_SESSION = "imports_ubl_files"


@login_required
def ubl_import_view(request: HttpRequest) -> HttpResponse:
    membership = require_write(request)
    creditor = membership.creditor
    items = None
    form = UblForm()
    if request.method == "POST" and request.POST.get("action") == "import":
        stored = request.session.get(_UBL_SESSION, [])
        files = []
        for original, name in stored:
            if name.startswith(
                f"imports/tmp/{creditor.pk}-"
            ) and default_storage.exists(name):
                with default_storage.open(name, "rb") as fh:
                    files.append((original, fh.read()))
        try:
            claims = ubl_import(creditor=creditor, files=files, actor=request.user)
        except ImportRefused as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            for _original, name in stored:
                default_storage.delete(name)
            request.session.pop(_UBL_SESSION, None)
            messages.success(
                request, _("%(n)s document(s) importé(s).") % {"n": len(claims)}
            )
            return redirect("claims:claim_list")
    elif request.method == "POST":
        form = UblForm(request.POST, request.FILES)
        uploads = request.FILES.getlist("files")
        if form.is_valid() or uploads:
            files = [(u.name, u.read()) for u in uploads if u.size <= MAX_UPLOAD]
            items = ubl_preview(creditor=creditor, files=files)
            # A file over the limit is refused with its name, never dropped.
            items += [
                UblItem(
                    filename=u.name,
                    errors=[
                        _("Fichier trop volumineux (%(mb)d Mo au plus).")
                        % {"mb": MAX_UPLOAD // (1024 * 1024)}
                    ],
                )
                for u in uploads
                if u.size > MAX_UPLOAD
            ]
            request.session[_UBL_SESSION] = [
                (
                    n,
                    default_storage.save(
                        f"imports/tmp/{creditor.pk}-{uuid.uuid4()}.xml", ContentFile(d)
                    ),
                )
                for n, d in files
            ]
    return render(
        request,
        "claims/imports/ubl_import.html",
        {
            "form": form,
            "items": items,
            "ok": bool(items) and not any(i.errors for i in items),
        },
    )


# --- exports -----------------------------------------------------------------


def _export(
    request: HttpRequest, name: str, header: list[str], rows: Any
) -> HttpResponse:
    fmt = request.GET.get("format", "csv")
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(header, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            exports.to_csv(header, rows), content_type="text/csv; charset=utf-8"
        )
        fmt = "csv"
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


@login_required
def export_claims(request: HttpRequest) -> HttpResponse:
    creditor = current_membership(request).creditor
    return _export(request, "creances", *exports.claims_rows(creditor=creditor))


@login_required
def export_payments(request: HttpRequest) -> HttpResponse:
    creditor = current_membership(request).creditor
    return _export(request, "paiements", *exports.payments_rows(creditor=creditor))


@login_required
def export_aged_balance(request: HttpRequest) -> HttpResponse:
    creditor = current_membership(request).creditor
    return _export(
        request,
        "balance-agee",
        *exports.aged_balance_rows(creditor=creditor, today=timezone.localdate()),
    )


@login_required
def exports_page(request: HttpRequest) -> HttpResponse:
    current_membership(request)
    return render(request, "claims/imports/exports.html")
