"""Celery adapters of the collection engine: ids in, a service call, nothing else."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.db import OperationalError

log = logging.getLogger(__name__)


class TransientDeliveryError(Exception):
    """The deliverer failed in a way worth retrying (network, SMTP 4xx…)."""


@shared_task(name="claims.tasks.collection_tick", ignore_result=True)
def collection_tick() -> int:
    """Beat, every 15 minutes: plan, select and enqueue one task per batch of debtors."""
    from claims.engine.run import collection_enqueue

    return collection_enqueue()


@shared_task(
    name="claims.tasks.deliver_debtor_actions_task",
    autoretry_for=(OperationalError, TransientDeliveryError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    ignore_result=True,
)
def deliver_debtor_actions_task(
    creditor_id: int, debtor_id: int, action_ids: list[int], today_iso: str
) -> None:
    """Deliver one debtor's due actions (safe twice: the service claims them).

    Kept for tasks queued before batches; the tick enqueues ``deliver_batch_task``."""
    from claims.engine.run import actions_deliver

    outcome = actions_deliver(
        creditor_id=creditor_id,
        debtor_id=debtor_id,
        action_ids=action_ids,
        today=date.fromisoformat(today_iso),
    )
    if outcome.retry:
        raise TransientDeliveryError(str(outcome.failed))


@shared_task(
    name="claims.tasks.deliver_batch_task",
    autoretry_for=(OperationalError, TransientDeliveryError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    ignore_result=True,
)
def deliver_batch_task(deliveries: list[list]) -> None:
    """Deliver a batch of debtors: ``[creditor id, debtor id, action ids, today]``
    each (safe twice: the service claims the actions, skipping locked claims).
    A retry finds the actions already sent done and sends only the rest."""
    from claims.engine.run import actions_deliver_batch

    outcome = actions_deliver_batch(
        [(c, d, list(ids), date.fromisoformat(day)) for c, d, ids, day in deliveries]
    )
    if outcome.retry:
        raise TransientDeliveryError(str(outcome.failed)[:2000])


FIGURES_TASK_BATCH = 2000


@shared_task(name="claims.tasks.claims_refresh_figures_task", ignore_result=True)
def claims_refresh_figures_task(
    batch: int = FIGURES_TASK_BATCH, after_pk: int = 0
) -> int:
    """Beat, hourly: move the stored figures of open claims to their creditor's
    today (interest keeps running). One batch per run; queues the next batch
    while claims remain, so no run hits the task time limit. The last batch
    then stores every creditor's dashboard figures of the day (age buckets
    move with the date): the first dashboard of the day reads a stored row."""
    from django.utils import timezone

    from claims.ledger.selectors import creditors_figures_refresh
    from claims.ledger.services import claims_refresh_stale

    done = claims_refresh_stale(limit=batch, after_pk=after_pk)
    if done.selected >= batch:
        claims_refresh_figures_task.delay(batch, done.last_pk)
    else:
        creditors_figures_refresh(today=timezone.localdate())
    return done.written


@shared_task(
    name="claims.tasks.notice_send_task",
    autoretry_for=(OperationalError, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    ignore_result=True,
)
def notice_send_task(kind: str, claim_id: int, subject_id: int, today_iso: str) -> None:
    """Send one plan or thank-you notice (safe twice: sent at most once)."""
    from claims.engine.execution import Notice
    from claims.engine.plans import notices_send

    notices_send([Notice(kind, claim_id, subject_id, date.fromisoformat(today_iso))])
