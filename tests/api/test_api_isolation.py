"""A token never reaches another creditor's data: every operation of the schema,
called with creditor B's ids by creditor A's token, answers a 404 problem.

The operations are enumerated from the OpenAPI schema: a new endpoint taking an
id is covered the day it is added (and fails here if no id of B fits it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims.ledger.services import InvoiceData
from claims.ledger.services import invoice_add
from claims.ledger.services import payment_record
from claims.models import InvoiceKind
from recouvrement.api import api as ninja_api
from tests import factories as f

pytestmark = pytest.mark.django_db

BODIES = {
    "/api/v1/claims/{code}/payments": {"amount": "10.00", "date": "2026-03-01"},
    "/api/v1/payments/{code}/reverse": {"reason": "erreur"},
    "/api/v1/claims/{code}/credit-notes": {
        "number": "NC-1",
        "issue_date": "2026-03-01",
        "amount": "10.00",
    },
    "/api/v1/credit-notes/{code}/reverse": {"reason": "erreur"},
}


@pytest.fixture
def theirs(cast):
    """One object of creditor B of each kind that an API path names."""
    from letters.services import document_archive

    claim = f.ClaimFactory(creditor=cast.other_creditor)
    payment = payment_record(
        claim=claim, amount=Decimal("5.00"), on=dt.date(2026, 3, 1)
    )
    note = invoice_add(
        claim=claim,
        data=InvoiceData(
            number="NC-B",
            issue_date=dt.date(2026, 3, 1),
            due_date=dt.date(2026, 3, 1),
            amount=Decimal("5.00"),
            kind=InvoiceKind.CREDIT_NOTE,
        ),
    )
    doc = document_archive(
        creditor=claim.creditor,
        claim=claim,
        debtor=claim.debtor,
        kind="reminder",
        content=b"%PDF B",
        filename="b.pdf",
    )
    return {
        "claims": claim.code,
        "debtors": claim.debtor.code,
        "payments": payment.code,
        "credit-notes": note.code,
        "documents": doc.code,
    }


def _operations():
    schema = ninja_api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        if "{code}" in path:
            for method in ops:
                yield method, path


def test_every_operation_with_an_id_is_checked():
    assert len(list(_operations())) >= 13


@pytest.mark.parametrize(("method", "path"), list(_operations()))
def test_another_creditors_id_answers_404(api, theirs, method, path):
    collection = path.removeprefix("/api/v1/").split("/")[0]
    url = path.replace("{code}", str(theirs[collection])).removeprefix("/api/v1")
    r = api.get(url) if method == "get" else api.post(url, BODIES[path])
    assert r.status_code == 404, (path, r.content)
    assert r["Content-Type"] == "application/problem+json"


def test_lists_show_only_the_tokens_creditor(api, theirs, claim):
    assert [c["id"] for c in api.get("/claims").json()["items"]] == [str(claim.code)]
    assert [d["id"] for d in api.get("/debtors").json()["items"]] == [
        str(claim.debtor.code)
    ]
    assert api.get("/claims", {"debtor": str(theirs["debtors"])}).json()["items"] == []


def test_writes_refuse_another_creditors_debtor_or_claim(api, theirs, claim):
    r = api.post(
        "/claims",
        {
            "debtor": str(theirs["debtors"]),
            "invoices": [
                {
                    "number": "F-X",
                    "issue_date": "2026-01-01",
                    "due_date": "2026-01-31",
                    "amount": "10",
                }
            ],
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "debtor"
    r = api.post(
        "/invoices/import",
        {
            "debtor": str(claim.debtor.code),
            "claim": str(theirs["claims"]),
            "number": "F-Y",
            "issue_date": "2026-01-01",
            "due_date": "2026-01-31",
            "amount": "10",
        },
    )
    assert r.status_code == 404
