"""Fixtures of the fault-injection tests (real PostgreSQL, Redis, SMTP, workers)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from tests import factories as f
from tests.claims.engine_fixtures import open_claim
from tests.reliability.harness import SmtpSink

BROKER = os.environ.get("FAULT_BROKER_URL", "redis://127.0.0.1:6379/11")


@pytest.fixture
def smtp():
    sink = SmtpSink()
    sink.up()
    yield sink
    sink.down()


def use_broker(url: str):
    """Point this process's Celery app at ``url`` (and forget pooled connections)."""
    from recouvrement.celery import app

    before = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"visibility_timeout": 10}
    app._pool = None
    app.amqp._producer_pool = None
    return app, before


@pytest.fixture
def broker():
    """Redis db 11 emptied, this process enqueuing there."""
    redis.Redis.from_url(BROKER).flushdb()
    app, before = use_broker(BROKER)
    yield BROKER
    app.conf.broker_url, app.conf.broker_transport_options = before
    app._pool = None
    app.amqp._producer_pool = None
    redis.Redis.from_url(BROKER).flushdb()


def due_claims(n: int, *, days_late: int = 10, debtors: int | None = None) -> list:
    """``n`` open claims of a fresh creditor, overdue, due to be reminded now."""
    # The fault tests run on the real clock, any day of the week: this
    # creditor sends its e-mails on weekends and public holidays too.
    creditor = f.CreditorFactory(send_hour=0, emails_on_non_working_days=True)
    debtors_ = [f.DebtorFactory(creditor=creditor) for _ in range(debtors or n)]
    due = timezone.localdate() - timedelta(days=days_late)
    return [
        open_claim(creditor, debtors_[i % len(debtors_)], due=due, n=i)
        for i in range(n)
    ]
