"""Celery tasks of the payment plans (thin adapters over services)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="claims.tasks_imports.plans_check_task")
def plans_check_task() -> dict[str, list[int]]:
    """Daily: break plans with a missed instalment, complete the paid ones."""
    from django.utils import timezone

    from claims.engine.plans import plans_check

    return plans_check(today=timezone.localdate())
