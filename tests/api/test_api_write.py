"""Writing through the API: every write goes through the services, is audited
with the token's name, and bad input is a 422 problem naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from claims.models import AuditEntry
from claims.models import Claim
from claims.models import Debtor
from claims.models import Invoice
from claims.models import Payment

pytestmark = pytest.mark.django_db

INVOICE = {
    "number": "F-2026-0042",
    "issue_date": "2026-01-15",
    "due_date": "2026-02-14",
    "amount": "1210.00",
    "vat_amount": "210.00",
}


def _audited(op):
    return AuditEntry.objects.filter(
        kind=AuditEntry.Kind.API_WRITE, detail__operation=op
    ).get()


def test_it_creates_a_debtor(api):
    r = api.post(
        "/debtors", {"name": "Café du Coin SRL", "enterprise_number": "0202.239.951"}
    )
    assert r.status_code == 201, r.content
    debtor = Debtor.objects.get(code=r.json()["id"])
    assert debtor.creditor_id == api.token.creditor_id
    assert debtor.enterprise_number == "0202.239.951"  # normalised by the model
    entry = _audited("debtor_create")
    assert entry.username == "api:Odoo"
    assert entry.detail["token"] == "Odoo"


def test_it_names_the_refused_field_of_a_debtor(api):
    r = api.post("/debtors", {"name": "X", "enterprise_number": "0123.456.789"})
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"
    assert "enterprise_number" in [e["field"] for e in r.json()["errors"]]
    assert not Debtor.objects.filter(name="X").exists()


def test_a_read_token_cannot_write(api_read):
    r = api_read.post("/debtors", {"name": "Café"})
    assert r.status_code == 403
    assert r["Content-Type"] == "application/problem+json"
    assert not Debtor.objects.exists()


def test_it_opens_a_claim_through_the_service(api, claim):
    body = {"debtor": str(claim.debtor.code), "invoices": [INVOICE]}
    r = api.post("/claims", body)
    assert r.status_code == 201, r.content
    created = Claim.objects.get(code=r.json()["id"])
    assert created.principal == Decimal("1210.00")
    assert created.events.filter(kind="created").exists()
    assert r.json()["invoices"][0]["amount"] == {"amount": "1210.00", "currency": "EUR"}
    assert _audited("claim_create").detail["claim"] == str(created.code)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 12.5}, "invoices.0.amount"),
        ({"amount": "12,50"}, "invoices.0.amount"),
        ({"amount": "-3"}, "invoices.0.amount"),
        ({"due_date": "14/02/2026"}, "invoices.0.due_date"),
        ({"issue_date": None}, "invoices.0.issue_date"),
        ({"currency": "euro"}, "invoices.0.currency"),
    ],
)
def test_it_refuses_badly_typed_invoices(api, claim, change, field):
    body = {"debtor": str(claim.debtor.code), "invoices": [INVOICE | change]}
    r = api.post("/claims", body)
    assert r.status_code == 422, r.content
    assert field in [e["field"] for e in r.json()["errors"]]
    assert Claim.objects.count() == 1


def test_the_ledger_rules_answer_422_with_the_field(api, claim):
    bad = INVOICE | {"amount": "0.00"}
    r = api.post("/claims", {"debtor": str(claim.debtor.code), "invoices": [bad]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "amount"
    later = INVOICE | {"issue_date": "2026-03-01", "due_date": "2026-02-01"}
    r = api.post("/claims", {"debtor": str(claim.debtor.code), "invoices": [later]})
    assert r.status_code == 422
    assert r.json()["errors"]


def test_invoice_import_is_idempotent_by_number(api, claim):
    body = INVOICE | {"debtor": str(claim.debtor.code)}
    first = api.post("/invoices/import", body)
    assert first.status_code == 201, first.content
    again = api.post("/invoices/import", body)
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["invoice"]["id"] == first.json()["invoice"]["id"]
    assert Invoice.objects.filter(number="F-2026-0042").count() == 1
    assert AuditEntry.objects.filter(detail__operation="invoice_import").count() == 1


def test_invoice_import_joins_an_open_claim(api, claim):
    body = INVOICE | {"debtor": str(claim.debtor.code), "claim": str(claim.code)}
    r = api.post("/invoices/import", body)
    assert r.status_code == 201
    assert r.json()["claim"] == str(claim.code)
    claim.refresh_from_db()
    assert claim.principal == Decimal("2420.00")


def test_it_records_and_reverses_a_payment(api, claim):
    r = api.post(
        f"/claims/{claim.code}/payments", {"amount": "200", "date": "2026-03-02"}
    )
    assert r.status_code == 201, r.content
    payment = Payment.objects.get(code=r.json()["id"])
    assert payment.amount == Decimal("200.00")
    assert r.json()["amount"] == {"amount": "200.00", "currency": "EUR"}
    claim.refresh_from_db()
    assert claim.paid == Decimal("200.00")
    listed = api.get(f"/claims/{claim.code}/payments").json()["items"]
    assert [p["id"] for p in listed] == [str(payment.code)]

    r = api.post(
        f"/payments/{payment.code}/reverse", {"reason": "Chèque sans provision"}
    )
    assert r.status_code == 201, r.content
    assert r.json()["reverses"] == str(payment.code)
    assert r.json()["amount"]["amount"] == "-200.00"
    claim.refresh_from_db()
    assert claim.paid == Decimal("0.00")
    again = api.post(f"/payments/{payment.code}/reverse", {"reason": "encore"})
    assert again.status_code == 422
    assert _audited("payment_reverse")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "abc", "date": "2026-03-02"}, "amount"),
        ({"amount": "10"}, "date"),
        ({"amount": "10", "date": "2026-03-02", "currency": "USD"}, "currency"),
        ({"amount": "10", "date": "2020-01-01"}, "date"),
        ({"amount": "10", "date": "2026-03-02", "method": "bitcoin"}, "method"),
    ],
)
def test_it_refuses_a_bad_payment(api, claim, body, field):
    r = api.post(f"/claims/{claim.code}/payments", body)
    assert r.status_code == 422, r.content
    assert field in [e["field"] for e in r.json()["errors"]], r.json()
    assert not Payment.objects.exists()


def test_it_adds_and_reverses_a_credit_note(api, claim):
    invoice = claim.invoices.get()
    body = {
        "number": "NC-7",
        "issue_date": "2026-03-01",
        "amount": "100.00",
        "credited_invoice": str(invoice.code),
    }
    r = api.post(f"/claims/{claim.code}/credit-notes", body)
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "credit_note"
    assert r.json()["credited_invoice"] == str(invoice.code)
    claim.refresh_from_db()
    assert claim.principal == Decimal("1110.00")
    r = api.post(f"/credit-notes/{r.json()['id']}/reverse", {"reason": "erreur"})
    assert r.status_code == 201, r.content
    claim.refresh_from_db()
    assert claim.principal == Decimal("1210.00")


def test_a_credit_note_above_what_remains_is_refused(api, claim):
    body = {"number": "NC-8", "issue_date": "2026-03-01", "amount": "5000.00"}
    r = api.post(f"/claims/{claim.code}/credit-notes", body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "amount"


def test_an_invoice_cannot_be_reversed_as_a_credit_note(api, claim):
    invoice = claim.invoices.get()
    r = api.post(f"/credit-notes/{invoice.code}/reverse", {"reason": "x"})
    assert r.status_code == 404


def test_the_payment_date_follows_the_ledger_rules(api, claim):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    r = api.post(f"/claims/{claim.code}/payments", {"amount": "10", "date": future})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "date"


def test_a_reused_invoice_number_is_a_422_not_a_500(api, claim):
    body = {"debtor": str(claim.debtor.code), "invoices": [INVOICE]}
    assert api.post("/claims", body).status_code == 201
    r = api.post("/claims", body)
    assert r.status_code == 422, r.content
    assert r["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["invoices.0.number"]
    two = {
        "debtor": str(claim.debtor.code),
        "invoices": [INVOICE | {"number": "F-D"}] * 2,
    }
    assert api.post("/claims", two).status_code == 422


def test_an_import_racing_another_answers_the_existing_invoice(api, claim):
    """Two imports of one number at once: ours looked before the other one
    committed, then loses on the unique constraint, and answers 200 with the
    other one's invoice."""
    from claims.api import routes

    body = INVOICE | {"debtor": str(claim.debtor.code)}
    first = api.post("/invoices/import", body)  # the other request, committed
    real = routes.invoice_by_number
    looks = iter([None])  # our first look-up ran before that commit

    def lookup(cid, number):
        return next(looks, None) or real(cid, number)

    with mock.patch.object(routes, "invoice_by_number", side_effect=lookup):
        r = api.post("/invoices/import", body)
    assert r.status_code == 200, r.content
    assert r.json()["created"] is False
    assert r.json()["invoice"]["id"] == first.json()["invoice"]["id"]
    assert Invoice.objects.filter(number=INVOICE["number"]).count() == 1


def test_a_nul_character_is_refused_never_a_500(api, claim):
    r = api.get("/claims", {"reference": "C-\x00"})
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"
    assert "U+0000" in r.json()["detail"]
    r = api.post("/debtors", {"name": "Boulangerie\x00"})
    assert r.status_code == 422
    names = [d["name"] for d in api.get("/debtors").json()["items"]]
    assert not [n for n in names if "\x00" in n]  # nothing written
