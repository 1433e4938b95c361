"""Public page "Calculez vos intérêts de retard" (no login, works without JS)."""

from __future__ import annotations

from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claims.law.rates import RateUnavailable
from claims.ledger.calculator import calculate
from claims.web.forms_calculator import CalculatorForm


@require_GET
def calculator(request: HttpRequest) -> HttpResponse:
    """GET form: the result is bookmarkable and needs no session or CSRF."""
    form = CalculatorForm(request.GET or None)
    statement = None
    if form.is_bound and form.is_valid():
        try:
            statement = calculate(**form.calculation_kwargs())
        except RateUnavailable as exc:  # a date older than the rate tables
            form.add_error("due", exc.message)
    return render(
        request, "claims/calculator.html", {"form": form, "statement": statement}
    )
