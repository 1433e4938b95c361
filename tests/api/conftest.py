"""API fixtures: a creditor with a write token and a read token, and a stranger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from django.test import override_settings

from claims.ledger import webhooks
from claims.models import ApiToken
from tests import factories as f
from tests.api.receiver import Receiver


@dataclass
class Api:
    client: Client
    raw: str
    token: ApiToken

    def _h(self, kw):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.raw}", **kw}

    def get(self, path, data=None, **kw):
        return self.client.get("/api/v1" + path, data, **self._h(kw))

    def post(self, path, body=None, **kw):
        return self.client.post(
            "/api/v1" + path,
            body if body is not None else {},
            content_type="application/json",
            **self._h(kw),
        )


def make_api(creditor, user, scope="write", name="Odoo") -> Api:
    token, raw = ApiToken.issue(
        creditor=creditor, name=name, scope=scope, created_by=user
    )
    return Api(Client(), raw, token)


@pytest.fixture
def api(cast) -> Api:
    return make_api(cast.creditor, cast.owner)


@pytest.fixture
def api_read(cast) -> Api:
    return make_api(cast.creditor, cast.owner, scope="read", name="Exact lecture")


@pytest.fixture
def stranger(cast) -> Api:
    """charlie's token, for creditor B."""
    return make_api(cast.other_creditor, cast.outsider, name="Autre")


@pytest.fixture
def claim(cast):
    return f.ClaimFactory(
        creditor=cast.creditor,
        invoices=[
            {
                "amount": Decimal("1210.00"),
                "issue_date": dt.date(2026, 1, 15),
                "due_date": dt.date(2026, 2, 14),
            }
        ],
    )


@pytest.fixture
def _loopback():
    with override_settings(WEBHOOKS_ALLOW_LOOPBACK=True):
        yield


@pytest.fixture
def receiver(cast):
    r = Receiver()
    endpoint = webhooks.endpoint_create(
        creditor_id=cast.creditor.pk, url=r.url, event_types=[]
    )
    r.secret = endpoint.secret
    r.endpoint = endpoint
    yield r
    r.close()


@pytest.fixture
def emitted(django_capture_on_commit_callbacks):
    """Run the commit hooks; collect the delivery ids instead of queueing tasks."""

    class Capture:
        def __enter__(self):
            ids: list[int] = []
            self.patch = mock.patch.object(
                webhooks, "_queue", side_effect=lambda pks, **kw: ids.extend(pks)
            )
            self.patch.start()
            self.ctx = django_capture_on_commit_callbacks(execute=True)
            self.ctx.__enter__()
            return ids

        def __exit__(self, *exc):
            self.ctx.__exit__(*exc)
            self.patch.stop()

    return Capture()
