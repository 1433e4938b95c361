"""Celery tasks of the personal-data retention rules (listed in CELERY_IMPORTS)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="claims.tasks_privacy.anonymise_closed_task")
def anonymise_closed_task() -> int:
    """Anonymise the debtors whose closed claims are past the retention period."""
    from django.utils import timezone

    from claims.privacy.services import debtors_anonymise_expired

    done = debtors_anonymise_expired(today=timezone.localdate())
    logger.info("Anonymised %d debtor(s)", len(done))
    return len(done)
