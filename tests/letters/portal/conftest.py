from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from letters.portal.tokens import portal_token_issue
from tests import factories as f


@pytest.fixture(autouse=True)
def _clean_cache_and_media(settings, tmp_path):
    """Rate-limit counters live in the (per-helper) Redis cache; uploads in tmp."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()


@pytest.fixture
def claim(cast):
    """A claim of creditor A with two invoices (1210.00 + 605.00)."""
    debtor = f.DebtorFactory(
        creditor=cast.creditor, name="Client Martin SA", postal_code="4020"
    )
    return f.ClaimFactory(
        creditor=cast.creditor,
        debtor=debtor,
        reference="C-PORTAL-1",
        structured_reference="+++090/9337/55493+++",
        invoices=[
            {},
            {
                "amount": Decimal("605.00"),
                "vat_amount": Decimal("105.00"),
                "due_date": dt.date(2026, 3, 1),
            },
        ],
    )


@pytest.fixture
def link(claim):
    """(token, raw) for the claim."""
    return portal_token_issue(debtor=claim.debtor, claim=claim)


@pytest.fixture
def portal(client, link):
    """A client whose portal session is open on ``claim``."""
    _token, raw = link
    response = client.get(f"/p/t/{raw}/")
    assert response.status_code == 302
    return client
