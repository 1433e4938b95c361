"""Celery tasks of the money-in area (thin adapters over services)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def plans_check_task() -> dict[str, list[int]]:
    """Daily: break plans with a missed instalment, complete the paid ones."""
    from django.utils import timezone

    from claims.services_plans import plans_check

    return plans_check(today=timezone.localdate())


@shared_task(soft_time_limit=1800, time_limit=1900)
def import_job_task(job_id: int) -> str:
    """Run a queued file import (claims.services_jobs); progress in the cache."""
    from claims.services_jobs import import_job_run

    return import_job_run(job_id)
