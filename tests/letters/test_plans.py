"""Payment plans as the debtor receives them: the plan document (PDF read back),
the confirmation, the reminders around each instalment, the thank-you, and a
broken plan handing the claim back to the scenario — over a plan's life, day
by day through the engine's tick, with a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims.law.plans import InstalmentSpec
from claims.services_plans import plan_accept
from claims.services_plans import plan_propose
from letters.plan_notices import plan_pdf
from tests import factories as f
from tests.letters.helpers import pdf_text

pytestmark = pytest.mark.django_db

# French words that must not appear in a Dutch or English plan document.
FRENCH = (
    "mensualité",
    "échéance",
    "créancier",
    "débiteur",
    "intérêts",
    "montant",
    "paiement",
    "plan d'apurement",
    " le ",
    " du ",
    " et ",
)
MENTIONS = {
    "fr": ("Plan d'apurement", "Échéancier", "Mensualité manquée", "Acceptation"),
    "nl": ("Afbetalingsplan", "Betalingsschema", "Gemiste afbetaling", "Aanvaarding"),
    "en": ("Payment plan", "Schedule", "Missed instalment", "Acceptance"),
}
START = dt.date(2026, 3, 2)  # a Monday


def _claim(language="fr", amount="1210.00"):
    creditor = f.CreditorFactory(legal_name="Boulangerie Dumont", trade_name="")
    debtor = f.DebtorFactory(
        creditor=creditor, email="ap@client.test", language=language
    )
    return f.ClaimFactory(
        creditor=creditor,
        debtor=debtor,
        structured_reference="+++123/4567/89002+++",
        invoices=[{"amount": Decimal(amount)}],
    )


def _plan(claim, amounts, first, grace=7):
    specs = [
        InstalmentSpec(first + dt.timedelta(days=30 * i), Decimal(a))
        for i, a in enumerate(amounts)
    ]
    return plan_propose(claim=claim, instalments=specs, grace_days=grace)


def _money(text: str) -> list[Decimal]:
    import re

    return [
        Decimal(m.replace(".", "").replace(" ", "").replace(",", "."))
        for m in re.findall(r"(\d{1,3}(?:[. ]\d{3})*,\d{2}) €", text)
    ]


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_plan_document_reads_in_the_debtors_language(language):
    claim = _claim(language)
    plan = _plan(claim, ["400.00", "400.00", "410.00"], START + dt.timedelta(days=10))
    plan_accept(plan=plan, today=START, by_click=True, ip="203.0.113.7")
    plan.refresh_from_db()
    pdf = plan_pdf(plan=plan, at=START)
    text = pdf_text(pdf)
    for mention in MENTIONS[language]:
        assert mention in text, (language, mention)
    assert "203.0.113.7" in text  # the click, with its address
    assert "Boulangerie Dumont" in text
    assert "BE68" in text.replace(" ", "")
    if language != "fr":
        low = f" {text.lower()} "
        assert not [w for w in FRENCH if w in low], text
    # The schedule's total is the sum of its lines (1 210,00 € / € 1,210.00).
    digits = text.replace(" ", "")
    assert ("1.210,00" in digits) or ("1,210.00" in digits)
