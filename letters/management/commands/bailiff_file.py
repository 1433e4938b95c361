"""python manage.py bailiff_file CLAIM_REFERENCE --out FILE.zip"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils import timezone

from claims.law.rates import RateUnavailable
from claims.models import Claim
from letters.services import bailiff_file_build
from letters.services import document_bytes


class Command(BaseCommand):
    help = "Build, archive and write the bailiff hand-off ZIP of a claim."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("reference")
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
        try:
            doc = bailiff_file_build(claim=found[0], today=timezone.localdate())
        except RateUnavailable as exc:  # an invoice older than the rate tables
            raise CommandError(exc.message) from exc
        content = document_bytes(document=doc)
        Path(opts["out"]).write_bytes(content)
        self.stdout.write(f"{opts['out']}: {len(content)} bytes, sha256 {doc.sha256}")
