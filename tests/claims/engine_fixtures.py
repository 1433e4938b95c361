"""Fixtures of the collection engine tests: a fake deliverer, seeded scenarios."""

from __future__ import annotations

import threading
from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from claims.engine import execution
from claims.engine.execution import Delivery
from claims.engine.execution import DeliveryResult
from claims.engine.seed import seed_engine
from claims.ledger.services import InvoiceData
from claims.ledger.services import claim_open

BRUSSELS = ZoneInfo("Europe/Brussels")
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


class FakeDeliverer:
    """Records what would have been sent; can fail on demand."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.fail: DeliveryResult | None = None
        self.before = None  # callable run inside delivery (e.g. a race)
        self._lock = threading.Lock()

    def __call__(self, delivery: Delivery) -> DeliveryResult:
        if self.before is not None:
            self.before(delivery)
        with self._lock:
            self.deliveries.append(delivery)
        return self.fail or DeliveryResult(delivered=True, channel="email")

    @property
    def action_ids(self) -> list[int]:
        return [pk for d in self.deliveries for pk in d.action_ids]


@pytest.fixture
def deliverer():
    fake = FakeDeliverer()
    previous = execution._deliverer
    execution.register_deliverer(fake)
    yield fake
    execution._deliverer = previous


@pytest.fixture
def engine_seed(db):
    """Default scenarios and route costs (also after a transactional flush)."""
    seed_engine(django_apps, None)


def at(day: date, hour: int = 10, tz: ZoneInfo = BRUSSELS) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz)


def open_claim(creditor, debtor, *, due: date, amount: str = "1210.00", n: int = 1):
    return claim_open(
        creditor=creditor,
        debtor=debtor,
        invoices=[
            InvoiceData(
                number=f"{debtor.pk}-{due:%Y%m%d}-{n}",
                # Never after today: an invoice dated in the future is refused.
                issue_date=min(
                    date(due.year, due.month, 1) if due.day > 1 else due,
                    timezone.localdate(),
                ),
                due_date=due,
                amount=Decimal(amount),
            )
        ],
    )


def ensure_reference_data() -> None:
    """Rates and default scenarios, for fixtures wider than one test (the
    autouse ``_reference_data`` of tests/conftest.py runs per test, after them;
    a transactional test elsewhere may have flushed the tables)."""
    from claims.law.seed import seed_rates
    from claims.ledger.statements import rates_changed
    from claims.models import Rate
    from claims.models import Scenario

    if not Rate.objects.exists():
        seed_rates(django_apps, None)
        rates_changed()
    if not Scenario.objects.filter(creditor=None).exists():
        seed_engine(django_apps, None)
