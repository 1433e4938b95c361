"""`manage.py statement CLAIM_REFERENCE [--at] [--format] [--creditor]`."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils import timezone

from claims.law.rates import RateUnavailable
from claims.law.render import statement_as_dict
from claims.law.render import statement_as_text
from claims.ledger.statements import claim_statement
from claims.models import Claim


class Command(BaseCommand):
    help = "Affiche le décompte d'une créance à une date."
    requires_system_checks: list[str] = []  # scripted output: no check noise

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("reference")
        parser.add_argument("--at", type=date.fromisoformat, default=None)
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--creditor", type=int, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        claims = Claim.objects.filter(reference=opts["reference"])
        if opts["creditor"] is not None:
            claims = claims.filter(creditor_id=opts["creditor"])
        found = list(claims[:2])
        if not found:
            raise CommandError("Créance introuvable.")
        if len(found) > 1:
            raise CommandError("Référence ambiguë : précisez --creditor ID.")
        at = opts["at"] or timezone.localdate()
        try:
            s = claim_statement(claim=found[0], at=at)
        except RateUnavailable as exc:
            raise CommandError(exc.message) from exc
        if opts["format"] == "json":
            self.stdout.write(
                json.dumps(statement_as_dict(s), ensure_ascii=False, indent=2)
            )
        else:
            self.stdout.write(statement_as_text(s))
