"""Thin Celery tasks for messages sent outside the collection engine."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def claim_email_send_task(claim_id: int, template: str, at: str) -> None:
    """Send a thank-you or plan-confirmation email for one claim (ids in)."""
    from letters.delivery import claim_email_send

    claim_email_send(claim_id=claim_id, template=template, at=at)
