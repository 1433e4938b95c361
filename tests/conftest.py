"""Shared fixtures: a cast per creditor (owner, colleague, outsider)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests import factories as f


@dataclass
class Cast:
    creditor: object
    owner: object
    colleague: object
    readonly: object
    outsider: object
    other_creditor: object


@pytest.fixture
def cast(db) -> Cast:
    """alice owns creditor A, bob is an agent there, rita reads only,
    and charlie owns creditor B (he must never see anything of A)."""
    creditor = f.CreditorFactory(legal_name="Boulangerie Dumont SRL")
    other = f.FrenchCreditorFactory(legal_name="Traiteur Lyonnais SARL")
    alice = f.MembershipFactory(
        user=f.UserFactory(username="alice"), creditor=creditor, role="owner"
    ).user
    bob = f.MembershipFactory(
        user=f.UserFactory(username="bob"), creditor=creditor, role="agent"
    ).user
    rita = f.MembershipFactory(
        user=f.UserFactory(username="rita"), creditor=creditor, role="readonly"
    ).user
    charlie = f.MembershipFactory(
        user=f.UserFactory(username="charlie"), creditor=other, role="owner"
    ).user
    return Cast(creditor, alice, bob, rita, charlie, other)


# Collection engine fixtures: fake deliverer, seeded default scenarios.
from tests.claims.engine_fixtures import deliverer  # noqa: E402, F401
from tests.claims.engine_fixtures import engine_seed  # noqa: E402, F401


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Keep the reference data of the data migrations (rates, default scenarios,
    route costs) in place: a transactional test flushes every table, which would
    leave the tests after it without them."""
    if request.node.get_closest_marker("django_db") is None and not (
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("_django_db_helper")
    from django.apps import apps as django_apps

    from claims.engine.seed import seed_engine
    from claims.law.seed import seed_rates
    from claims.ledger.statements import rates_changed
    from claims.models import Rate
    from claims.models import Scenario

    if not Rate.objects.exists():
        seed_rates(django_apps, None)
        rates_changed()
    if not Scenario.objects.filter(creditor=None).exists():
        seed_engine(django_apps, None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit and throttling counters start from zero in every test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# Browser tests: Playwright's sync API driving Debian's Chromium (never a
# downloaded browser). One instance per test process, shared by every module.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    import os
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    # Playwright's sync API runs an event loop in the test thread; the ORM
    # calls made by the test itself stay synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _deliverer_restored():
    """Whatever a test registers as deliverer, the next test gets letters' own."""
    from claims.engine import execution

    saved = execution._deliverer
    yield
    execution._deliverer = saved


@pytest.fixture(autouse=True)
def _source_language():
    """Every test starts in French, the source language: a request in Dutch or
    English leaves its language active on the thread after the response."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.activate("fr")
