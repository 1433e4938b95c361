"""Store the statement of account on claims (the figures lists and exports read)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandParser

from claims.ledger.services import claims_refresh_figures


class Command(BaseCommand):
    help = (
        "Recompute and store the statement's figures (due principal, interest, "
        "costs, balance) of open claims, at --at or at each creditor's local today."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", type=date.fromisoformat, default=None)
        parser.add_argument("--creditor", type=int, action="append", default=None)
        parser.add_argument(
            "--closed-too",
            action="store_true",
            help="Closed claims as well (by default they keep the totals they "
            "were closed with).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from claims.models import Claim

        qs = Claim.objects.all()
        if not opts["closed_too"]:
            qs = qs.filter(status=Claim.Status.OPEN)
        if opts["creditor"]:
            qs = qs.filter(creditor_id__in=opts["creditor"])
        started = time.perf_counter()
        written = claims_refresh_figures(
            claim_ids=qs.values_list("pk", flat=True), at=opts["at"]
        )
        elapsed = time.perf_counter() - started
        rate = written / elapsed if elapsed else 0
        self.stdout.write(
            f"{written} claim(s) refreshed in {elapsed:.1f} s ({rate:.0f} claims/s)"
        )
