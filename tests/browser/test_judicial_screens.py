"""Screens of the judicial track and of "Amiable ou judiciaire ?" in FR/NL/EN."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from claims.judicial.services import judicial_open
from claims.judicial.services import step_record
from claims.law import routes as r
from claims.models import LegalContact
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def test_judicial_track_and_outcomes_screens(browser, live_server, engine_seed):
    from tests.claims.test_outcomes import _history

    creditor = f.CreditorFactory(legal_name="Boulangerie Dumont SRL")
    user = f.MembershipFactory(
        user=f.UserFactory(username="alice"), creditor=creditor
    ).user
    _history(creditor)
    claim = f.ClaimFactory(
        creditor=creditor,
        debtor__name="Hôtel Bellevue SA",
        invoices=[{"amount": Decimal("4200.00")}],
    )
    today = timezone.localdate()
    contact = LegalContact.objects.create(
        creditor=creditor, name="Me Lambert", kind="bailiff", email="l@h.test"
    )
    case = judicial_open(
        claim_id=claim.pk,
        route=r.BE_UNCONTESTED,
        actor=user,
        contact=contact,
        on=today - dt.timedelta(days=40),
        costs_advanced=Decimal("150"),
    )
    step_record(
        case=case,
        kind="served",
        on=today - dt.timedelta(days=30),
        actor=user,
        costs_advanced=Decimal("120"),
        document=SimpleUploadedFile("sommation.pdf", b"%PDF-1.4 x"),
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("fr", "nl", "en"):
        context = browser.new_context(
            locale=lang, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("input[name=username]").fill("alice")
        page.locator("input[name=password]").fill("pw-for-tests-1")
        page.locator("button[type=submit]").click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}{claim.get_absolute_url()}")
        page.locator("#judicial").screenshot(
            path=str(SCREENSHOTS / f"judicial-track-{lang}.png")
        )
        page.goto(f"{live_server.url}/claims/{claim.code}/routes/")
        page.screenshot(
            path=str(SCREENSHOTS / f"route-advice-{lang}.png"), full_page=True
        )
        page.goto(f"{live_server.url}/amiable-ou-judiciaire/")
        page.wait_for_timeout(300)
        page.screenshot(path=str(SCREENSHOTS / f"outcomes-{lang}.png"), full_page=True)
        context.close()
