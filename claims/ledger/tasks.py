"""Celery adapters for webhook deliveries (the work is in claims.ledger.webhooks)."""

from __future__ import annotations

from celery import shared_task


# Unbounded here: the row counts the attempts and gives up (claims.ledger.webhooks).
@shared_task(name="claims.tasks_webhooks.webhook_deliver_task", bind=True, acks_late=True, ignore_result=True, max_retries=None)
def webhook_deliver_task(self, delivery_id: int, replay: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Send one delivery; its row decides the retries (attempts and backoff)."""
    from claims.ledger.webhooks import webhook_deliver

    retry_in = webhook_deliver(delivery_id=delivery_id, replay=replay)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task(name="claims.tasks_webhooks.webhooks_sweep_task", ignore_result=True)
def webhooks_sweep_task() -> int:
    """Every minute: queue again the pending deliveries whose task was lost."""
    from claims.ledger.webhooks import webhooks_sweep

    return len(webhooks_sweep())
