"""Cancel a ledger entry (payment, credit note, waiver) by a counter-entry.

GET shows what will happen and asks why; POST, with a reason, calls the
service (``claims.ledger.services.payment_reverse`` / ``credit_note_reverse`` /
``waiver_reverse``). Only owners and managers may; another creditor's claim
or an entry of another claim answers 404. The ledger stays append-only: the
original row is kept and shown as cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.ledger import services
from claims.models import Claim
from claims.models import Invoice
from claims.models import InvoiceKind
from claims.models import Payment
from claims.models import Waiver
from claims.security.access import current_membership
from claims.security.access import get_claim_for_user
from claims.templatetags.money import money
from claims.web.forms import ReversalForm
from claims.web.views.actions import form_errors

KINDS: dict[str, Any] = {
    "payment": gettext_lazy("paiement"),
    "credit_note": gettext_lazy("note de crédit"),
    "waiver": gettext_lazy("renonciation"),
}


@dataclass(frozen=True)
class LedgerEntry:
    """One row of the claim page's « Écritures » list."""

    kind: str
    label: str
    on: date
    amount: Decimal | None
    detail: str
    reversed: bool
    is_reversal: bool
    url: str


def ledger_entries(
    *, claim: Claim, invoices: list[Invoice], payments: list[Payment]
) -> list[LedgerEntry]:
    """Payments, credit notes and waivers of ``claim``, cancelled ones marked,
    with the cancel link of those that can still be cancelled."""
    rows: list[LedgerEntry] = []
    gone = {p.reverses_id for p in payments if p.reverses_id}
    for p in payments:
        rows.append(_row(claim, "payment", p, p.date, p.amount, gone))
    notes = [i for i in invoices if i.kind == InvoiceKind.CREDIT_NOTE]
    gone = {i.reverses_id for i in notes if i.reverses_id}
    for i in notes:
        rows.append(_row(claim, "credit_note", i, i.issue_date, i.amount, gone))
    # Prefetched by the statement (claims.ledger.statements): no extra query.
    waivers = sorted(claim.waivers.all(), key=lambda w: (w.created_at, w.pk))
    gone = {w.reverses_id for w in waivers if w.reverses_id}
    for w in waivers:
        rows.append(_row(claim, "waiver", w, w.created_at.date(), w.amount, gone))
    return sorted(rows, key=lambda r: r.on)


def _row(
    claim: Claim,
    kind: str,
    obj: Any,
    on: date,
    amount: Decimal | None,
    gone: set[int],
) -> LedgerEntry:
    is_reversal = obj.reverses_id is not None
    was_reversed = obj.pk in gone
    if kind == "payment":
        detail = f"{obj.get_method_display()} {obj.reference}".strip()
    elif kind == "credit_note":
        detail = f"{obj.number} {obj.description}".strip()
    else:
        detail = f"{obj.get_kind_display()} — {obj.reason}"
    return LedgerEntry(
        kind=kind,
        label=str(KINDS[kind]),
        on=on,
        amount=amount,
        detail=detail,
        reversed=was_reversed,
        is_reversal=is_reversal,
        url=""
        if is_reversal or was_reversed
        else reverse(URL_NAMES[kind], kwargs={"code": obj.code}),
    )


URL_NAMES = {
    "payment": "claims:payment_reverse",
    "credit_note": "claims:credit_note_reverse",
    "waiver": "claims:waiver_reverse",
}


def _entry(creditor_id: int, kind: str, code: UUID) -> Any:
    """The creditor's entry of ``kind`` with ``code``, else 404 (isolation)."""
    if kind == "payment":
        rows = Payment.objects.for_creditor(creditor_id)
    elif kind == "credit_note":
        rows = Invoice.objects.for_creditor(creditor_id).filter(
            kind=InvoiceKind.CREDIT_NOTE
        )
    else:
        rows = Waiver.objects.filter(creditor_id=creditor_id)
    return get_object_or_404(rows.select_related("claim"), code=code)


def _describe(kind: str, obj: Any, currency: str) -> str:
    if kind == "payment":
        return _("le paiement de %(a)s du %(d)s") % {
            "a": money(obj.amount, currency),
            "d": f"{obj.date:%d/%m/%Y}",
        }
    if kind == "credit_note":
        return _("la note de crédit %(n)s de %(a)s") % {
            "n": obj.number,
            "a": money(obj.amount, currency),
        }
    what = money(obj.amount, currency) if obj.amount is not None else _("totale")
    return _("la renonciation (%(k)s, %(a)s)") % {
        "k": obj.get_kind_display(),
        "a": what,
    }


def _reverse(kind: str, obj: Any, reason: str, actor: Any) -> Any:
    if kind == "payment":
        return services.payment_reverse(payment=obj, reason=reason, actor=actor)
    if kind == "credit_note":
        return services.credit_note_reverse(credit_note=obj, reason=reason, actor=actor)
    return services.waiver_reverse(waiver=obj, reason=reason, actor=actor)


@login_required
def entry_reverse(request: HttpRequest, code: UUID, kind: str) -> HttpResponse:
    """Confirmation page (GET) and cancellation with a reason (POST)."""
    membership = current_membership(request)
    obj = _entry(membership.creditor_id, kind, code)
    claim = get_claim_for_user(request, obj.claim.code)
    if not membership.can_manage:
        raise PermissionDenied
    what = _describe(kind, obj, claim.currency)
    form = ReversalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _reverse(kind, obj, form.cleaned_data["reason"], request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("C'est fait : %(w)s est annulé(e). Solde : %(b)s.")
                % {
                    "w": what,
                    "b": money(Claim.objects.get(pk=claim.pk).balance, claim.currency),
                },
            )
            return redirect(claim.get_absolute_url())
    return render(
        request,
        "claims/action_confirm.html",
        {
            "membership": membership,
            "claim": claim,
            "form": form,
            "title": _("Annuler %(w)s") % {"w": what},
            "explanation": _(
                "Rien n'est effacé : une écriture inverse, datée d'aujourd'hui et "
                "liée à l'originale, est ajoutée avec votre motif, et l'historique "
                "garde les deux. Le solde est recalculé ; si la créance avait été "
                "clôturée par ce paiement, elle est rouverte et les relances reprennent."
            ),
            "action_key": f"reverse_{kind}",
        },
        status=400 if request.method == "POST" else 200,
    )
