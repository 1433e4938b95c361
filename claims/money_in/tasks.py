"""Celery tasks of money coming in (thin adapters over services)."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    name="claims.money_in.tasks.import_job_task",
    soft_time_limit=1800,
    time_limit=1900,
)
def import_job_task(job_id: int) -> str:
    """Run a queued file import (claims.money_in.jobs); progress in the cache."""
    from claims.money_in.jobs import import_job_run

    return import_job_run(job_id)
