"""Seed data of the collection engine: default scenarios and the route cost table.

Importable functions called by thin data migrations (``RunPython``); they take
the historical ``apps`` so they keep working when the models change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_noop

from claims.engine.scenarios import DEFAULT_NAMES
from claims.engine.scenarios import DEFAULTS
from claims.law import routes as r

# ⚠️ legal-brief §13.5: procedure costs are not documented in the sources.
# These are order-of-magnitude estimates for the operator to correct in the
# admin; ``source`` says which are sourced and which are not.
_UNSOURCED = gettext_noop(
    "⚠️ estimation à vérifier (legal-brief §13.5 : coûts non documentés)"
)
ROUTE_COSTS: list[tuple[str, str, str, bool, str]] = [
    (
        r.BE_UNCONTESTED,
        gettext_noop("Honoraires d'avocat (filtre)"),
        "300",
        False,
        _UNSOURCED,
    ),
    (
        r.BE_UNCONTESTED,
        gettext_noop("Sommation et PV de non-contestation (huissier, tarif légal)"),
        "250",
        True,
        gettext_noop("legal-brief §3.1 (frais récupérables) — montant ") + _UNSOURCED,
    ),
    (
        r.BE_ORDER_TO_PAY,
        gettext_noop("Honoraires d'avocat (requête)"),
        "400",
        False,
        _UNSOURCED,
    ),
    (
        r.BE_ORDER_TO_PAY,
        gettext_noop("Sommation recommandée + signification de l'ordonnance"),
        "200",
        True,
        _UNSOURCED,
    ),
    (
        r.BE_SUMMONS_JP,
        gettext_noop("Citation par huissier + mise au rôle"),
        "250",
        True,
        _UNSOURCED,
    ),
    (
        r.BE_SUMMONS_JP,
        gettext_noop("Honoraires d'avocat (au-delà de l'indemnité de procédure)"),
        "600",
        False,
        _UNSOURCED,
    ),
    (
        r.BE_SUMMONS_ENTERPRISE,
        gettext_noop("Citation par huissier + mise au rôle"),
        "350",
        True,
        _UNSOURCED,
    ),
    (
        r.BE_SUMMONS_ENTERPRISE,
        gettext_noop("Honoraires d'avocat (au-delà de l'indemnité de procédure)"),
        "1200",
        False,
        _UNSOURCED,
    ),
    (
        r.FR_SMALL_CLAIMS,
        gettext_noop("Honoraires du commissaire de justice"),
        "150",
        False,
        gettext_noop(
            "legal-brief §8.1 : tous les frais à charge du créancier ✅ — montant "
        )
        + _UNSOURCED,
    ),
    (r.FR_INJONCTION, gettext_noop("Frais de greffe"), "35", True, _UNSOURCED),
    (
        r.FR_INJONCTION,
        gettext_noop("Signification de l'ordonnance (commissaire de justice)"),
        "120",
        True,
        _UNSOURCED,
    ),
    (
        r.FR_REFERE,
        gettext_noop("Assignation (commissaire de justice)"),
        "150",
        True,
        _UNSOURCED,
    ),
    (
        r.FR_REFERE,
        gettext_noop("Honoraires d'avocat (au-delà de l'art. 700 CPC)"),
        "800",
        False,
        _UNSOURCED,
    ),
    (
        r.EU_PAYMENT_ORDER,
        gettext_noop("Frais de justice de l'État du tribunal"),
        "100",
        True,
        _UNSOURCED,
    ),
    (
        r.EU_PAYMENT_ORDER,
        gettext_noop("Signification à l'étranger"),
        "150",
        True,
        _UNSOURCED,
    ),
    (
        r.EU_SMALL_CLAIMS,
        gettext_noop("Frais de justice de l'État du tribunal"),
        "100",
        True,
        gettext_noop("legal-brief §9 : sans avocat ✅ — montant ") + _UNSOURCED,
    ),
]


def seed_text(text: str) -> str:
    """A route cost's label or source in the reader's language when it is the
    shipped text (an operator's own wording is shown as typed)."""
    if text.endswith(_UNSOURCED) and text != _UNSOURCED:
        head = text[: -len(_UNSOURCED)]
        return gettext(head) + gettext(_UNSOURCED)
    return gettext(text) if text else text


def seed_default_scenarios(apps: Any, schema_editor: Any) -> None:
    """Create the four shipped scenarios (creditor empty) if they are missing."""
    scenario_model = apps.get_model("claims", "Scenario")
    step_model = apps.get_model("claims", "ScenarioStep")
    for (country, kind), specs in DEFAULTS.items():
        scenario, created = scenario_model.objects.get_or_create(
            creditor=None,
            country=country,
            debtor_kind=kind,
            name=DEFAULT_NAMES[(country, kind)],
        )
        if not created:
            continue
        step_model.objects.bulk_create(
            step_model(
                scenario=scenario,
                position=i,
                **s.row_fields(),
            )
            for i, s in enumerate(specs, start=1)
        )


def seed_route_costs(apps: Any, schema_editor: Any) -> None:
    """Fill the editable route cost table once (rows the operator may change)."""
    model = apps.get_model("claims", "RouteCost")
    if model.objects.exists():
        return
    model.objects.bulk_create(
        model(
            route=route,
            label=label,
            amount=Decimal(amount),
            recoverable=rec,
            source=src,
        )
        for route, label, amount, rec, src in ROUTE_COSTS
    )


def seed_engine(apps: Any, schema_editor: Any) -> None:
    seed_default_scenarios(apps, schema_editor)
    seed_route_costs(apps, schema_editor)
