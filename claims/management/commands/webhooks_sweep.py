"""Queue again the webhook deliveries whose task was lost (what the beat does
every minute), e.g. after the broker was emptied."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Queue again the pending webhook deliveries whose task was lost."

    def handle(self, *args: Any, **options: Any) -> None:
        from claims.ledger.webhooks import webhooks_sweep

        ids = webhooks_sweep()
        self.stdout.write(f"{len(ids)} webhook deliveries queued again")
