"""A newcomer's morning, in a real browser."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch
from django.urls import reverse

from claims.models import Claim
from tests import factories as f
from tests.figures import statement_balance

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def _login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("pw-for-tests-1")
    page.get_by_role("button", name="Se connecter").click()


def _letters_ready() -> bool:
    try:
        reverse(
            "letters:formal_notice_generate",
            kwargs={"code": "00000000-0000-0000-0000-000000000000"},
        )
    except NoReverseMatch:
        return False
    return True


def test_newcomer_path(page, live_server, shoot):
    creditor = f.CreditorFactory(legal_name="Boulangerie Dumont SRL")
    f.MembershipFactory(user=f.UserFactory(username="alice"), creditor=creditor)
    # A few existing claims so the pages look like a real morning.
    for i, days in enumerate([5, 40, 75, 200]):
        due = dt.date.today() - dt.timedelta(days=days)
        f.ClaimFactory(
            creditor=creditor,
            debtor__name=[
                "Café du Marché",
                "Hôtel Bellevue SA",
                "Épicerie Fine Lejeune",
                "Restaurant Le Perron",
            ][i],
            invoices=[{"issue_date": due - dt.timedelta(days=30), "due_date": due}],
        )

    page.goto(live_server.url + "/")
    shoot(page, "login")
    _login(page, live_server, "alice")
    page.get_by_role("heading", name="Tableau de bord").wait_for()

    # Create a debtor…
    page.get_by_role("link", name="+ Nouveau débiteur").first.click()
    page.get_by_label("Nom", exact=False).first.fill("Friterie Chez Léon SRL")
    page.get_by_label("Numéro d'entreprise").fill("0403.170.701")
    page.get_by_label("IBAN").fill("BE68 5390 0754 7035")  # wrong check digits
    page.get_by_role("button", name="Enregistrer et créer une créance").click()
    assert page.locator(".invalid-feedback, .is-invalid").count() > 0
    shoot(page, "debtor-form-errors")
    page.get_by_label("IBAN").fill("BE68 5390 0754 7034")
    page.get_by_role("button", name="Enregistrer et créer une créance").click()

    # …and a claim with one invoice.
    page.get_by_role("heading", name="Nouvelle créance").wait_for()
    page.get_by_label("N° de facture").first.fill("2026-0042")
    page.locator("#id_inv-0-issue_date").fill(
        (dt.date.today() - dt.timedelta(days=45)).isoformat()
    )
    page.locator("#id_inv-0-due_date").fill(
        (dt.date.today() - dt.timedelta(days=15)).isoformat()
    )
    page.locator("#id_inv-0-amount").fill("1250,00")
    shoot(page, "claim-form")
    page.get_by_role("button", name="Ouvrir la créance").click()
    page.get_by_text("ouverte").first.wait_for()
    # Due 15 days ago, B2B in Belgium: principal + late interest + 40 € (law of
    # 2 August 2002); the page shows the statement of account's total.
    claim = Claim.objects.get(debtor__name="Friterie Chez Léon SRL")
    assert "1\u202f250,00\u00a0€" in page.locator("main").inner_text()
    assert _due(claim) in page.locator("[data-testid=total-due]").inner_text()

    # It shows on the dashboard.
    page.get_by_role("link", name="Tableau de bord").first.click()
    page.get_by_text("Encaissé ce mois-ci").wait_for()
    shoot(page, "dashboard")
    page.get_by_role("link", name="Créances").first.click()
    page.get_by_role("link", name="Friterie Chez Léon SRL").wait_for()
    shoot(page, "claim-list")

    # Record a partial payment and see the statement change.
    page.get_by_role("link", name="Friterie Chez Léon SRL").click()
    page.get_by_role("link", name="Enregistrer un paiement").click()
    shoot(page, "payment-confirm")
    page.get_by_label("Montant reçu (€)").fill("500,00")
    page.get_by_role("button", name="Confirmer").click()
    page.get_by_text("Paiement de 500,00").first.wait_for()  # the notice and the timeline
    assert _due(claim) in page.locator("[data-testid=total-due]").inner_text()
    assert "500,00" in page.locator("[data-testid=paid]").inner_text()
    shoot(page, "claim-workspace")

    claim = Claim.objects.get(debtor__name="Friterie Chez Léon SRL")
    # The stored balance is the statement's (interest and 40 € included),
    # not 1,250.00 − 500.00.
    assert claim.paid == Decimal("500.00")
    assert claim.balance == statement_balance(claim) > Decimal("750.00")

    page.goto(
        live_server.url
        + reverse("claims:debtor_detail", kwargs={"code": claim.debtor.code})
    )
    shoot(page, "debtor")
    page.goto(live_server.url + reverse("claims:settings"))
    shoot(page, "settings")


@pytest.mark.skipif(
    not _letters_ready(),
    reason="letters:formal_notice_generate is not merged yet (letters area); the integrator enables this",
)
def test_formal_notice_and_dispute(page, live_server):
    creditor = f.CreditorFactory()
    f.MembershipFactory(user=f.UserFactory(username="alice"), creditor=creditor)
    claim = f.ClaimFactory(creditor=creditor)
    _login(page, live_server, "alice")
    page.goto(live_server.url + claim.get_absolute_url())
    page.get_by_role("button", name="Autres actions").click()
    page.get_by_role("link", name="Produire une mise en demeure en PDF").click()
    page.get_by_role("button", name="Confirmer").click(timeout=60_000)
    page.get_by_text("Mise en demeure générée").wait_for()
    with page.expect_download() as download:
        page.locator("section[aria-labelledby=docs-title] a").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.goto(live_server.url + claim.get_absolute_url())
    page.get_by_role("button", name="Autres actions").click()
    page.get_by_role("link", name="Enregistrer une contestation").click()
    page.get_by_label("Ce que le débiteur conteste").fill("Marchandise non livrée")
    page.get_by_role("button", name="Confirmer").click()
    page.get_by_text("Marchandise non livrée").first.wait_for()
    claim.refresh_from_db()
    assert claim.stage == "disputed"
    page.get_by_text("contest", exact=False).first.wait_for()


def test_other_creditor_gets_404(page, live_server):
    creditor = f.CreditorFactory()
    claim = f.ClaimFactory(creditor=creditor)
    other = f.FrenchCreditorFactory()
    f.MembershipFactory(user=f.UserFactory(username="charlie"), creditor=other)
    _login(page, live_server, "charlie")
    page.get_by_role("heading", name="Tableau de bord").wait_for()
    response = page.goto(live_server.url + claim.get_absolute_url())
    assert response.status == 404
    response = page.goto(live_server.url + claim.debtor.get_absolute_url())
    assert response.status == 404


def _due(claim):
    """The statement's total due today, formatted as the pages show it."""
    from claims.statements import claim_statement
    from claims.templatetags.money import format_money

    return format_money(
        claim_statement(
            claim=Claim.objects.get(pk=claim.pk), at=dt.date.today()
        ).total_due,
        lang="fr",
    )
