"""``manage.py collect``: the collection tick, run synchronously."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.core.management.base import CommandParser
from django.utils import timezone

from claims.engine.run import collection_run_sync


def parse_at(value: str) -> datetime:
    """``--at``: an ISO date (the tick at the end of that day) or datetime.

    A date stands for 23:00 Europe/Brussels that day, when every creditor's
    send hour has come; a naive datetime is read in the project's time zone.
    """
    value = value.strip()
    if len(value) == 10:
        day = date.fromisoformat(value)
        # End of that day in UTC-12 is still that day everywhere we work:
        # take 23:00 Europe/Brussels so every send hour has come.
        return datetime.combine(day, time(23), tzinfo=ZoneInfo("Europe/Brussels"))
    moment = datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Plan and deliver due collection actions now (same logic as the beat tick)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--at",
            type=parse_at,
            help="run as if at YYYY-MM-DD (end of that day) or an ISO datetime",
        )
        parser.add_argument("--creditor", type=int)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        now = opts["at"] or timezone.now()
        plan, outcomes = collection_run_sync(
            now=now, creditor_id=opts["creditor"], dry_run=opts["dry_run"]
        )
        verb = "would deliver" if opts["dry_run"] else "delivered"
        self.stdout.write(
            f"creditors due: {len(plan.creditor_days)}; claims planned: "
            f"{plan.planned_claims}; resumed: {plan.resumed}; requeued: {plan.requeued}"
        )
        for c, d, ids, day in plan.deliveries:
            self.stdout.write(f"{verb} {day} creditor={c} debtor={d} actions={ids}")
        for o in outcomes:
            for pk, why in {**o.skipped, **o.held, **o.failed}.items():
                self.stdout.write(f"  action {pk}: {why}")
        self.stdout.write(f"deliveries: {len(plan.deliveries)}")
        # A failure is the claim's, recorded on it; the run itself succeeded.
        failed = sum(len(o.failed) for o in outcomes)
        done = sum(len(o.done) for o in outcomes)
        self.stdout.write(f"actions done: {done}; failed: {failed}")
