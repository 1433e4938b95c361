"""python manage.py render_letter CLAIM_REFERENCE --kind formal_notice --out FILE.pdf"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils import timezone

from claims.law.rates import RateUnavailable
from claims.models import Claim
from letters.context import PDF_TEMPLATES
from letters.services import letter_render


class Command(BaseCommand):
    help = "Render a letter of a claim to a PDF file (not archived, not sent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("reference")
        parser.add_argument("--kind", default="reminder", choices=sorted(PDF_TEMPLATES))
        parser.add_argument("--lang", default="")
        parser.add_argument("--at", default="")
        parser.add_argument("--creditor", default="", help="creditor code (UUID)")
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        claims = Claim.objects.filter(reference=opts["reference"]).select_related(
            "creditor", "debtor"
        )
        if opts["creditor"]:
            claims = claims.filter(creditor__code=opts["creditor"])
        found = list(claims[:2])
        if len(found) != 1:
            raise CommandError("No single claim with this reference (use --creditor)")
        at = dt.date.fromisoformat(opts["at"]) if opts["at"] else timezone.localdate()
        try:
            pdf = letter_render(
                claim=found[0], kind=opts["kind"], language=opts["lang"], at=at
            )
        except RateUnavailable as exc:  # an invoice older than the rate tables
            raise CommandError(exc.message) from exc
        Path(opts["out"]).write_bytes(pdf)
        self.stdout.write(f"{opts['out']}: {len(pdf)} bytes")
