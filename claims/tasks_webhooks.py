"""Celery adapter for webhook deliveries (the work is in claims.webhooks)."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, max_retries=6, acks_late=True, ignore_result=True)
def webhook_deliver_task(self, delivery_id: int, replay: bool = False) -> None:  # type: ignore[no-untyped-def]
    from claims.webhooks import retry_delay
    from claims.webhooks import webhook_deliver

    if not webhook_deliver(delivery_id=delivery_id, replay=replay):
        raise self.retry(countdown=retry_delay(self.request.retries))
