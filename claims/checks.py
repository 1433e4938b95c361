"""System checks of the claims app (registered in ClaimsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags
from django.core.checks import Warning as CheckWarning
from django.core.checks import register
from django.db import DatabaseError
from django.utils import timezone


@register(Tags.database)
def rates_published_check(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[Any]:
    """claims.W001: a rate needed now (current / previous half-year) is missing.

    A database check: it runs with ``migrate`` and ``check --database default``
    (not on every command, nor when a Celery worker starts).

    The engine then applies the documented fallback (legal-brief §12) and
    flags it; the operator should enter the published value in the admin.
    """
    from claims.ledger.statements import missing_rates

    if not databases:
        return []
    try:
        missing = missing_rates(timezone.localdate())
    except DatabaseError:
        return []  # database not migrated yet: nothing to say
    if not missing:
        return []
    return [
        CheckWarning(
            "Taux non publiés dans la table des taux : " + ", ".join(missing),
            hint="Saisissez les valeurs publiées dans l'admin (Créances › Taux) ; "
            "en attendant, la règle de repli documentée est appliquée.",
            id="claims.W001",
        )
    ]
