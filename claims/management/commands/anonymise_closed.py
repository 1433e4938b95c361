"""Anonymise debtors whose closed claims are past the retention period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Anonymise debtors whose last claim closed longer ago than retention."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list, change nothing"
        )
        parser.add_argument("--at", help="the day to apply the rule on (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        from claims.privacy.services import debtors_anonymise_expired

        today = timezone.localdate()
        if options["at"]:
            try:
                today = dt.date.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(
                    f"--at {options['at']!r}: expected YYYY-MM-DD"
                ) from exc
        ids = debtors_anonymise_expired(today=today, dry_run=options["dry_run"])
        verb = "would be anonymised" if options["dry_run"] else "anonymised"
        self.stdout.write(f"{len(ids)} debtor(s) {verb} on {today.isoformat()}")
        for pk in ids:
            self.stdout.write(f"  debtor #{pk}")
