"""Scenario settings: copy a default, edit the copy's steps with the legal checks.

The services belong to the engine (``claims.engine.collection.scenario_copy``,
``scenario_steps_replace`` and ``claims.engine.scenarios.StepSpec``); they are imported
lazily so this page says "not available" until the engine is merged in.
"""

from __future__ import annotations

import importlib
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import formset_factory
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from claims.l10n import AmountField
from claims.models import Channel
from claims.models import Scenario
from claims.models import ScenarioStep
from claims.security.access import current_membership


def _engine(name: str) -> Any:
    module_name, _dot, attr = name.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), attr, None)
    except ImportError:
        return None


class StepForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Étape"), choices=ScenarioStep.Kind.choices
    )
    offset_days = forms.IntegerField(
        label=gettext_lazy("Jours"), min_value=-60, max_value=365
    )
    anchor = forms.ChoiceField(
        label=gettext_lazy("À compter de"), choices=ScenarioStep.Anchor.choices
    )
    channel = forms.ChoiceField(label=gettext_lazy("Canal"), choices=Channel.choices)
    fee = AmountField(
        label=gettext_lazy("Frais (€)"), min_value=0, decimal_places=2, localize=True
    )
    claims_interest = forms.BooleanField(label=gettext_lazy("Intérêts"), required=False)
    claims_fees = forms.BooleanField(label=gettext_lazy("Indemnités"), required=False)
    deadline_days = forms.IntegerField(
        label=gettext_lazy("Délai accordé (jours)"), min_value=0, max_value=90
    )


StepFormSet = formset_factory(StepForm, extra=0, can_delete=True, min_num=1)


def _scenario_for(request: HttpRequest, code: UUID) -> Scenario:
    membership = current_membership(request)
    return get_object_or_404(
        Scenario.objects.filter(
            Q(creditor__isnull=True) | Q(creditor_id=membership.creditor_id)
        ),
        code=code,
    )


@require_POST
@login_required
def scenario_copy(request: HttpRequest, code: UUID) -> HttpResponse:
    membership = current_membership(request)
    if not membership.can_manage:
        raise PermissionDenied
    scenario = _scenario_for(request, code)
    copy = _engine("claims.engine.collection.scenario_copy")
    if copy is None:
        messages.error(
            request,
            _("Cette action n'est pas encore disponible dans cette installation."),
        )
        return redirect("claims:settings_scenarios")
    new = copy(scenario=scenario, creditor=membership.creditor)
    messages.success(request, _("Copie créée : adaptez-la puis enregistrez."))
    return redirect("claims:scenario_edit", code=new.code)


@login_required
def scenario_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    membership = current_membership(request)
    scenario = _scenario_for(request, code)
    editable = scenario.creditor_id is not None and membership.can_manage
    initial = [
        {
            "kind": s.kind,
            "offset_days": s.offset_days,
            "anchor": s.anchor,
            "channel": s.channel,
            "fee": s.fee,
            "claims_interest": s.claims_interest,
            "claims_fees": s.claims_fees,
            "deadline_days": s.deadline_days,
        }
        for s in scenario.steps.order_by("position")
    ]
    formset = StepFormSet(request.POST or None, initial=initial, prefix="steps")
    problems: list[str] = []
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if formset.is_valid():
            try:
                _save_steps(scenario, formset)
            except ValidationError as exc:
                problems = exc.messages
            else:
                messages.success(request, _("Scénario enregistré."))
                return redirect("claims:settings_scenarios")
    return render(
        request,
        "claims/scenario_edit.html",
        {
            "membership": membership,
            "scenario": scenario,
            "formset": formset,
            "editable": editable,
            "problems": problems,
            "tab": "scenarios",
        },
        status=400 if problems else 200,
    )


def _save_steps(scenario: Scenario, formset: Any) -> None:
    spec = _engine("claims.engine.scenarios.StepSpec")
    replace = _engine("claims.engine.collection.scenario_steps_replace")
    if spec is None or replace is None:
        raise ValidationError(
            _("Cette action n'est pas encore disponible dans cette installation.")
        )
    steps = [
        spec(**{k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
    replace(scenario=scenario, steps=steps)
