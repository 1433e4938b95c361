"""The "Amiable ou judiciaire ?" page: the creditor's own answer, in figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.judicial.outcomes import outcomes_page
from claims.law.routes import MIN_CASES
from claims.law.routes import route_label
from claims.security.access import current_membership

STAGE_LABELS = {
    "before_reminder": gettext_lazy("Payé avant tout rappel"),
    "first_reminder": gettext_lazy("Payé après le premier rappel"),
    "reminder": gettext_lazy("Payé après un rappel suivant"),
    "formal_notice": gettext_lazy("Payé après la mise en demeure"),
    "plan": gettext_lazy("Payé après un plan d'apurement"),
}


@login_required
def outcomes(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    creditor = membership.creditor
    today = timezone.localdate()
    data = outcomes_page(
        creditor_id=creditor.pk, today=today, shared=creditor.share_outcomes
    )
    stages = [
        {"key": k, "label": str(STAGE_LABELS[k]), "o": o}
        for k, o in data["stages"].items()
    ]
    routes = [
        {"key": k, "label": route_label(k), "o": o} for k, o in data["routes"].items()
    ]
    shared = [
        {"key": k, "label": route_label(k), "o": o} for k, o in data["shared"].items()
    ]
    chart = {
        "labels": [s["label"] for s in stages] + [r["label"] for r in routes],
        "net": [str(s["o"].net_per_100) for s in stages]
        + [str(r["o"].net_per_100) for r in routes],
        "paid": [str(s["o"].paid_share) for s in stages]
        + [str(r["o"].paid_share) for r in routes],
        "series": [
            _("Net récupéré pour 100 EUR réclamés"),
            # xgettext:no-python-format
            _("% de dossiers payés"),
        ],
    }
    return render(
        request,
        "claims/outcomes.html",
        {
            "membership": membership,
            "stages": stages,
            "routes": routes,
            "shared": shared,
            "chart": chart,
            "min_cases": MIN_CASES,
            "exact_median": data["backend_median"],
            "since": today.replace(year=today.year - 1),
        },
    )
