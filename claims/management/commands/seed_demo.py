"""Load realistic demo data: ``manage.py seed_demo [--claims N] [--if-empty]``."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser
from django.utils import timezone

from claims.demo import DEMO_PASSWORD
from claims.demo import DEMO_USERNAME
from claims.demo import READONLY_PASSWORD
from claims.demo import READONLY_USERNAME
from claims.demo import seed_demo
from claims.models import Creditor


class Command(BaseCommand):
    help = "Create demo creditors in Liège and Lyon with debtors and claims."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--claims", type=int, default=400, help="claims to create")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when a creditor already exists",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Creditor.objects.exists():
            if options["if_empty"]:
                return
            raise CommandError(
                "Demo data needs an empty database (use --if-empty to skip)."
            )
        if options["claims"] < 0:
            raise CommandError("--claims must be positive")
        started = time.perf_counter()
        result = seed_demo(
            n_claims=options["claims"],
            today=options["today"] or timezone.localdate(),
            seed=options["seed"],
        )
        elapsed = time.perf_counter() - started
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{result.creditors} creditors, {result.debtors} debtors, "
                f"{result.claims} claims, {result.invoices} invoices, "
                f"{result.payments} payments, {result.events} events "
                f"in {elapsed:.1f} s. Logins: {DEMO_USERNAME} / {DEMO_PASSWORD}, "
                f"{READONLY_USERNAME} / {READONLY_PASSWORD}"
            )
