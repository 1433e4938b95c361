"""Cancelling a payment, a credit note or a waiver from the claim page: a
confirmation page, a required reason, owners and managers only, 404 for another
creditor, a counter-entry (never a change) and the balance back where it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from claims.ledger.services import InvoiceData
from claims.ledger.services import invoice_add
from claims.ledger.services import payment_record
from claims.ledger.services import waiver_record
from claims.ledger.statements import claim_statement
from claims.models import Claim
from claims.models import Event
from claims.models import Invoice
from claims.models import InvoiceKind
from claims.models import Membership
from claims.models import Payment
from claims.models import Waiver
from tests import factories as f

pytestmark = pytest.mark.django_db


def _today(claim):
    from claims.ledger.rules import creditor_today

    return creditor_today(claim.creditor)


def _total(claim) -> Decimal:
    return claim_statement(
        claim=Claim.objects.get(pk=claim.pk), at=_today(claim)
    ).total_due


@pytest.fixture
def claim(cast):
    return f.ClaimFactory(
        creditor=cast.creditor, invoices=[{"amount": Decimal("780.00")}]
    )


def _payment(claim):
    return payment_record(claim=claim, amount=Decimal("300.00"), on=dt.date(2026, 3, 1))


def _credit_note(claim):
    return invoice_add(
        claim=claim,
        data=InvoiceData(
            number="NC-1",
            issue_date=dt.date(2026, 2, 1),
            due_date=dt.date(2026, 2, 1),
            amount=Decimal("200.00"),
            kind=InvoiceKind.CREDIT_NOTE,
        ),
    )


def _waiver(claim):
    return waiver_record(claim=claim, kind="costs", amount=None, reason="geste")


class _CreditNotes:
    """``Invoice`` restricted to credit notes (the claim's invoice aside)."""

    class objects:
        @staticmethod
        def count():
            return Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count()

        @staticmethod
        def get(**kw):
            return Invoice.objects.get(**kw)


ENTRIES = {
    "payment": (_payment, lambda e: e.code, Payment),
    "credit_note": (_credit_note, lambda e: e.code, _CreditNotes),
    "waiver": (_waiver, lambda e: e.code, Waiver),
}


def _url(claim, kind, key):
    """The cancel page of an entry (``claim`` kept for readability)."""
    names = {
        "payment": "claims:payment_reverse",
        "credit_note": "claims:credit_note_reverse",
        "waiver": "claims:waiver_reverse",
    }
    return reverse(names[kind], kwargs={"code": key})


@pytest.mark.parametrize("kind", list(ENTRIES))
def test_an_entry_is_cancelled_by_a_counter_entry_and_the_balance_comes_back(
    client, cast, claim, kind
):
    make, key, model = ENTRIES[kind]
    before_total = _total(claim)
    claim.refresh_from_db()
    before_balance = claim.balance
    entry = make(claim)
    assert _total(claim) != before_total
    client.force_login(cast.owner)
    url = _url(claim, kind, key(entry))

    page = client.get(reverse("claims:claim_detail", kwargs={"code": claim.code}))
    assert url in page.content.decode()  # the owner sees the button

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "écriture inverse" in confirm.content.decode()
    assert model.objects.count() == 1  # GET changes nothing

    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 400
    assert "motif" in refused.content.decode()
    assert model.objects.count() == 1

    done = client.post(url, {"reason": "saisie en double"})
    assert done.status_code == 302
    assert model.objects.count() == 2
    reversal = model.objects.get(reverses=entry)
    assert model.objects.get(pk=entry.pk).reversed_by == reversal  # original kept
    claim.refresh_from_db()
    assert claim.balance == before_balance
    assert _total(claim) == before_total
    event = Event.objects.filter(claim=claim, data__reason="saisie en double").get()
    assert {"balance_before", "balance_after"} <= set(event.data)

    page = client.get(reverse("claims:claim_detail", kwargs={"code": claim.code}))
    html = page.content.decode()
    assert "annulée" in html
    assert url not in html  # no button on a cancelled entry

    twice = client.post(url, {"reason": "encore"})
    assert twice.status_code == 400
    assert "déjà annulée" in twice.content.decode()
    assert model.objects.count() == 2


@pytest.mark.parametrize("kind", list(ENTRIES))
def test_a_reversal_itself_cannot_be_cancelled(client, cast, claim, kind):
    make, key, model = ENTRIES[kind]
    entry = make(claim)
    client.force_login(cast.owner)
    client.post(_url(claim, kind, key(entry)), {"reason": "erreur"})
    reversal = model.objects.get(reverses=entry)
    response = client.post(_url(claim, kind, key(reversal)), {"reason": "oups"})
    assert response.status_code == 400
    assert model.objects.count() == 2


@pytest.mark.parametrize("kind", list(ENTRIES))
@pytest.mark.parametrize("who", ["colleague", "readonly"])
def test_agents_and_readers_cannot_cancel(client, cast, claim, kind, who):
    make, key, model = ENTRIES[kind]
    entry = make(claim)
    client.force_login(getattr(cast, who))
    url = _url(claim, kind, key(entry))
    page = client.get(reverse("claims:claim_detail", kwargs={"code": claim.code}))
    assert url not in page.content.decode()  # no button
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert model.objects.count() == 1


def test_a_manager_can_cancel(client, cast, claim):
    Membership.objects.filter(user=cast.colleague).update(role="manager")
    entry = _payment(claim)
    client.force_login(cast.colleague)
    response = client.post(_url(claim, "payment", entry.code), {"reason": "x"})
    assert response.status_code == 302
    assert Payment.objects.filter(reverses=entry).exists()


@pytest.mark.parametrize("kind", list(ENTRIES))
def test_another_creditors_entry_is_404(client, cast, claim, kind):
    make, key, model = ENTRIES[kind]
    entry = make(claim)
    client.force_login(cast.outsider)  # owner of creditor B
    assert client.get(_url(claim, kind, key(entry))).status_code == 404
    assert (
        client.post(_url(claim, kind, key(entry)), {"reason": "x"}).status_code == 404
    )
    assert model.objects.count() == 1


def test_a_code_of_another_kind_is_404(client, cast, claim):
    payment = _payment(claim)
    client.force_login(cast.owner)
    assert client.get(_url(claim, "waiver", payment.code)).status_code == 404
    assert client.get(_url(claim, "credit_note", payment.code)).status_code == 404
    # An invoice is not a credit note: not cancellable here.
    invoice = claim.invoices.get()
    assert client.get(_url(claim, "credit_note", invoice.code)).status_code == 404
    assert client.get(_url(claim, "payment", payment.code)).status_code == 200


def test_the_payment_form_refuses_a_payment_before_the_first_invoice(
    client, cast, claim
):
    client.force_login(cast.owner)
    url = reverse("claims:claim_payment", kwargs={"code": claim.code})
    response = client.post(
        url, {"amount": "100,00", "on": "2019-06-01", "method": "transfer"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "première facture" in errors["on"][0]
    assert not Payment.objects.exists()


def test_the_claim_form_refuses_an_invoice_dated_next_year(client, cast):
    debtor = f.DebtorFactory(creditor=cast.creditor)
    client.force_login(cast.owner)
    from claims.ledger.rules import creditor_today

    year = creditor_today(cast.creditor).year + 1
    response = client.post(
        reverse("claims:claim_create"),
        {
            "debtor": debtor.pk,
            "reference": "",
            "inv-TOTAL_FORMS": "1",
            "inv-INITIAL_FORMS": "0",
            "inv-MIN_NUM_FORMS": "1",
            "inv-MAX_NUM_FORMS": "1000",
            "inv-0-number": "F-1",
            "inv-0-issue_date": f"{year}-01-05",
            "inv-0-due_date": f"{year}-02-05",
            "inv-0-amount": "780,00",
        },
    )
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors
    assert "dans le futur" in errors["issue_date"][0]
    assert not Claim.objects.exists()


@pytest.mark.usefixtures("engine_seed")
def test_cancelling_the_payment_that_closed_a_claim_reopens_it_and_replans(
    client, cast
):
    from claims.ledger.rules import creditor_today
    from claims.models import Action
    from tests.claims.engine_fixtures import open_claim

    today = creditor_today(cast.creditor)
    claim = open_claim(
        cast.creditor, f.DebtorFactory(creditor=cast.creditor), due=today
    )
    planned = set(
        Action.objects.filter(claim=claim, state="planned").values_list("pk", flat=True)
    )
    assert planned
    payment = payment_record(claim=claim, amount=claim.balance, on=today)
    claim.refresh_from_db()
    assert (claim.status, claim.stage, claim.closed_reason) == (
        "closed",
        "closed",
        "paid",
    )
    assert not Action.objects.filter(claim=claim, state="planned").exists()

    client.force_login(cast.owner)
    response = client.post(
        _url(claim, "payment", payment.code), {"reason": "chèque sans provision"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.stage, claim.closed_reason) == ("open", "amicable", "")
    assert claim.balance == Decimal("1210.00")
    assert claim.next_action_on is not None
    assert (
        set(
            Action.objects.filter(claim=claim, state="planned").values_list(
                "pk", flat=True
            )
        )
        == planned
    )
    reopened = Event.objects.filter(claim=claim, kind="stage").order_by("-pk").first()
    assert (reopened.data["before"], reopened.data["after"]) == ("closed", "amicable")
