"""The progress of a background import, in a real browser: htmx polls it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import ImportJob
from claims.money_in import jobs as services_jobs
from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def test_the_bar_moves_then_the_report_replaces_it(page, live_server, shoot):
    creditor = f.CreditorFactory()
    user = f.MembershipFactory(
        user=f.UserFactory(username="alice"), creditor=creditor, role="owner"
    ).user
    job = ImportJob.objects.create(
        creditor=creditor,
        kind=ImportJob.Kind.INVOICES,
        filename="factures.csv",
        status=ImportJob.Status.PENDING,
        rows_total=100_000,
        created_by=user,
    )
    services_jobs._tell(job.pk, "write", 25_000, 100_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Nom d’utilisateur").fill("alice")
    page.get_by_label("Mot de passe").fill("pw-for-tests-1")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(live_server.url + reverse("claims:import_job", args=[job.pk]))
    bar = page.locator("#import-job progress")
    assert bar.get_attribute("value") == "25000"
    # Thousands grouped the French way (a narrow no-break space).
    text = page.locator("#import-job").inner_text()
    assert "25\u202f000 ligne(s) sur 100\u202f000 (25 %)" in text
    # The worker moves on: the next poll shows it, without reloading the page.
    services_jobs._tell(job.pk, "write", 75_000, 100_000)
    page.locator('#import-job progress[value="75000"]').wait_for()
    shoot(page, "import-progress")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        rows_done=100_000,
        rows_imported=100_000,
        message="100000 créance(s) importée(s).",
    )
    report = page.get_by_text("100000 créance(s) importée(s).")
    report.wait_for()
    assert page.locator("#import-job progress").count() == 0
    assert page.locator("#import-job[hx-trigger]").count() == 0
