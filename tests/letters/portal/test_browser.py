"""End to end in Chromium: from the received email to the creditor's inbox.

GIVEN a claim with a sent reminder and a planned next step,
WHEN the debtor opens the emailed link on a phone, downloads the reminder,
     disputes one invoice and asks for a payment plan,
THEN the creditor sees all of it and nothing is deliverable any more.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from claims.models import Action
from claims.models import Claim
from claims.models import Dispute
from claims.models import PaymentPlan
from claims.models import Scenario
from claims.models import ScenarioStep
from claims.models import Stage
from letters.models import Document
from letters.portal.tokens import portal_link_for

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
REMINDER = b"%PDF-1.4\n% premier rappel\n%%EOF\n"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed"),
]


def _deliverable(claim: Claim) -> bool:
    """What the engine would send: a planned action on a claim in an active stage."""
    return Action.objects.filter(
        claim=claim,
        state=Action.State.PLANNED,
        claim__status="open",
        claim__stage__in=[Stage.AMICABLE, Stage.FORMAL_NOTICE],
    ).exists()


def _planned_step(claim: Claim) -> None:
    scenario = Scenario.objects.create(
        name="BE B2B", country="BE", debtor_kind="business"
    )
    step = ScenarioStep.objects.create(
        scenario=scenario,
        position=2,
        kind="reminder",
        offset_days=30,
        template="reminder",
    )
    Action.objects.create(
        creditor=claim.creditor,
        claim=claim,
        debtor=claim.debtor,
        step=step,
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )


def test_debtor_answers_from_the_email_and_the_creditor_sees_it(
    live_server, settings, browser, cast, claim, tmp_path
):
    settings.SITE_URL = live_server.url
    _planned_step(claim)
    assert _deliverable(claim)
    doc = Document(
        creditor=claim.creditor,
        claim=claim,
        debtor=claim.debtor,
        kind="reminder",
        title="Premier rappel",
        sha256="0" * 64,
        sent_at=timezone.now(),
    )
    doc.file.save("rappel.pdf", ContentFile(REMINDER), save=True)
    # What the letters area does when it sends a reminder.
    mail.send_mail(
        "Rappel C-PORTAL-1",
        f"Consultez et répondez ici : {portal_link_for(debtor=claim.debtor, claim=claim)}",
        "compta@boulangerie.test",
        [claim.debtor.email],
    )
    link = re.search(r"https?://\S+/p/t/\S+/", mail.outbox[0].body).group(0)

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, accept_downloads=True
    )
    page = phone.new_page()
    page.goto(link)
    from django.utils.timezone import localdate

    from claims.ledger.statements import claim_statement

    # The same statement of account as the letters (interest and 40 € included).
    due = claim_statement(claim=claim, at=localdate()).total_due
    from claims.l10n import format_amount

    shown = page.locator("#total-due").inner_text().replace("\u00a0", " ")
    assert shown == format_amount(due, lang="fr").replace("\u00a0", " ")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with page.expect_download() as download:
        page.get_by_role("link", name="Premier rappel").click()
    assert Path(download.value.path()).read_bytes() == REMINDER

    page.locator("#btn-dispute").click()
    form = page.locator("#form-dispute")
    form.get_by_label("Ce que vous contestez").select_option(
        label="Facture C-PORTAL-1-2"
    )
    form.get_by_label("Motif").fill("Marchandise jamais livrée")
    proof = tmp_path / "photo.png"
    proof.write_bytes(PNG)
    form.locator("input[type=file]").set_input_files(str(proof))
    form.locator("button.btn-primary").click()
    page.wait_for_selector("text=Votre contestation est enregistrée")

    page.locator("#btn-plan").click()
    form = page.locator("#form-plan")
    form.get_by_label("Nombre de mensualités").fill("3")
    first = timezone.localdate() + dt.timedelta(days=10)
    form.get_by_label("Date de la première mensualité").fill(first.isoformat())
    form.locator("button.btn-primary").click()
    page.wait_for_selector("text=Votre demande de plan est envoyée")
    phone.close()

    dispute = Dispute.objects.get()
    assert dispute.invoice.number == "C-PORTAL-1-2"
    assert dispute.attachment.name.endswith(".png")
    assert PaymentPlan.objects.get().status == "requested"
    claim.refresh_from_db()
    assert claim.stage == Stage.DISPUTED
    assert not _deliverable(claim)  # the engine sends nothing while disputed

    office = browser.new_context().new_page()
    office.goto(f"{live_server.url}/accounts/login/")
    office.locator("input[name=username]").fill("alice")
    office.locator("input[name=password]").fill("pw-for-tests-1")
    office.locator("form button, form input[type=submit]").first.click()
    office.goto(f"{live_server.url}/p/manage/")
    body = office.locator("main").inner_text()
    assert "Marchandise jamais livrée" in body
    # The timeline in the reader's language (this browser asks for English).
    assert "3 monthly instalments" in body
    assert "downloaded “Premier rappel”" in body
    assert "viewed the portal" in body
