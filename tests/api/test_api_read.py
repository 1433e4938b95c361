"""Reading through the API: tokens, lists with cursors, statement, state, documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from claims.ledger.services import payment_record
from claims.ledger.statements import claim_statement
from claims.models import ApiToken
from claims.models import Dispute
from claims.models import PaymentPlan
from tests import factories as f
from tests.api.conftest import make_api

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_it_refuses_a_request_without_token(client):
    r = client.get("/api/v1/claims")
    assert r.status_code == 401
    assert r["Content-Type"] == PROBLEM
    assert r.json()["status"] == 401
    assert r["WWW-Authenticate"] == "Bearer"


def test_it_refuses_a_revoked_or_unknown_token(api):
    ApiToken.objects.filter(pk=api.token.pk).update(revoked_at=timezone.now())
    assert api.get("/claims").status_code == 401
    api.raw = "rec_" + "x" * 43
    assert api.get("/claims").status_code == 401


def test_it_stores_only_the_hash_and_notes_the_last_use(api):
    token = ApiToken.objects.get(pk=api.token.pk)
    assert api.raw not in {token.token_hash, token.prefix}
    assert api.raw.startswith(token.prefix)
    assert token.last_used_at is None
    assert api.get("/claims").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_lists_claims_with_money_as_decimal_strings(api, claim):
    r = api.get("/claims")
    assert r.status_code == 200, r.content
    (item,) = r.json()["items"]
    assert item["id"] == str(claim.code)
    assert item["principal"] == {"amount": "1210.00", "currency": "EUR"}
    assert item["balance"] == {"amount": f"{claim.balance:.2f}", "currency": "EUR"}
    assert item["debtor"] == str(claim.debtor.code)
    assert r.json()["next_cursor"] is None


def test_it_walks_the_claims_with_a_cursor(api, cast):
    made = [f.ClaimFactory(creditor=cast.creditor) for _ in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = api.get("/claims", params).json()
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [str(c.code) for c in reversed(made)]


def test_it_filters_claims(api, cast, claim):
    other_debtor = f.DebtorFactory(creditor=cast.creditor)
    f.ClaimFactory(creditor=cast.creditor, debtor=other_debtor)
    body = api.get("/claims", {"debtor": str(claim.debtor.code)}).json()
    assert [i["id"] for i in body["items"]] == [str(claim.code)]
    body = api.get("/claims", {"reference": claim.reference}).json()
    assert [i["id"] for i in body["items"]] == [str(claim.code)]
    assert api.get("/claims", {"stage": "judicial"}).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"limit": "many"}, "limit"),
        ({"limit": 0}, "limit"),
        ({"stage": "nowhere"}, "stage"),
        ({"due_before": "31/12/2026"}, "due_before"),
    ],
)
def test_it_answers_bad_list_parameters_with_a_422_problem(api, params, field):
    r = api.get("/claims", params)
    assert r.status_code == 422
    assert r["Content-Type"] == PROBLEM
    assert field in [e["field"] for e in r.json()["errors"]]


def test_it_reads_a_claim_with_its_invoices(api, claim):
    r = api.get(f"/claims/{claim.code}")
    assert r.status_code == 200
    (inv,) = r.json()["invoices"]
    assert inv["amount"] == {"amount": "1210.00", "currency": "EUR"}
    assert inv["due_date"] == "2026-02-14"


def test_it_answers_an_unknown_or_malformed_id_with_404_or_422(api):
    r = api.get("/claims/6f1b7f5e-0000-4000-8000-000000000000")
    assert r.status_code == 404
    assert r["Content-Type"] == PROBLEM
    assert api.get("/claims/not-a-uuid").status_code == 422


def test_it_serves_the_statement_of_the_claim_at_a_date(api, claim):
    payment_record(claim=claim, amount=Decimal("100.00"), on=dt.date(2026, 3, 2))
    at = dt.date(2026, 4, 30)
    r = api.get(f"/claims/{claim.code}/statement", {"at": "2026-04-30"})
    assert r.status_code == 200, r.content
    body = r.json()
    expected = claim_statement(claim=claim, at=at)
    assert body["at"] == "2026-04-30"
    assert body["total_due"] == {
        "amount": f"{expected.total_due:.2f}",
        "currency": "EUR",
    }
    assert body["interest"]["amount"] == f"{expected.interest:.2f}"
    assert body["paid"]["amount"] == "100.00"
    assert [p["to_principal"]["amount"] for p in body["payments"]] == [
        f"{a.to_principal:.2f}" for a in expected.allocations
    ]
    assert (
        api.get(f"/claims/{claim.code}/statement", {"at": "yesterday"}).status_code
        == 422
    )


def test_it_reads_disputes_plans_and_the_collection_state(api, claim):
    Dispute.objects.create(creditor=claim.creditor, claim=claim, reason="Pain rassis")
    plan = PaymentPlan.objects.create(creditor=claim.creditor, claim=claim)
    plan.instalments.create(due_on=dt.date(2026, 6, 1), amount=Decimal("605.00"))
    (d,) = api.get(f"/claims/{claim.code}/disputes").json()["items"]
    assert d["reason"] == "Pain rassis"
    (p,) = api.get(f"/claims/{claim.code}/plans").json()["items"]
    assert p["instalments"][0]["amount"] == {"amount": "605.00", "currency": "EUR"}
    state = api.get(f"/claims/{claim.code}/collection").json()
    assert state["stage"] == "amicable"
    assert state["held"] is False


def test_it_says_why_the_collection_is_held(api, claim):
    type(claim).objects.filter(pk=claim.pk).update(stage="disputed")
    state = api.get(f"/claims/{claim.code}/collection").json()
    assert state["held"] is True
    assert "contestée" in state["held_reason"]


def test_it_lists_and_downloads_documents_byte_for_byte(api, claim):
    from letters.services import document_archive

    content = b"%PDF-1.7 rappel"
    doc = document_archive(
        creditor=claim.creditor,
        claim=claim,
        debtor=claim.debtor,
        kind="reminder",
        content=content,
        filename="rappel.pdf",
    )
    (item,) = api.get(f"/claims/{claim.code}/documents").json()["items"]
    assert item["id"] == str(doc.code)
    r = api.get(f"/documents/{doc.code}")
    assert r.status_code == 200
    assert r.content == content
    assert r["Content-Type"] == "application/pdf"


def test_it_lists_reads_debtors(api, claim):
    body = api.get("/debtors").json()
    assert [d["id"] for d in body["items"]] == [str(claim.debtor.code)]
    r = api.get(f"/debtors/{claim.debtor.code}")
    assert r.json()["name"] == claim.debtor.name


@override_settings(API_RATE_LIMIT=(3, 60))
def test_it_limits_the_requests_of_a_token(api, cast):
    for _ in range(3):
        assert api.get("/claims").status_code == 200
    r = api.get("/claims")
    assert r.status_code == 429
    assert r["Content-Type"] == PROBLEM
    assert 1 <= int(r["Retry-After"]) <= 61
    # The quota is per token: another token of the same creditor still passes.
    assert (
        make_api(cast.creditor, cast.owner, name="Yuki").get("/claims").status_code
        == 200
    )


@pytest.mark.parametrize("path", ["/claims", "/debtors"])
def test_list_endpoints_keep_a_constant_query_count(
    api, cast, path, django_assert_num_queries
):
    api.get(path)  # the first request of the minute also notes the last use
    for total in (5, 50):
        while (
            f.ClaimFactory._meta.model.objects.filter(creditor=cast.creditor).count()
            < total
        ):
            f.ClaimFactory(creditor=cast.creditor)
        # 1: the token (with its creator), 2: the page of rows with their debtors
        with django_assert_num_queries(2):
            r = api.get(path, {"limit": 100})
        assert len(r.json()["items"]) == total


def test_a_logged_in_session_is_not_an_api_credential(client, cast, claim):
    """The API is exempt from CSRF because a cookie never authenticates it."""
    client.force_login(cast.owner)
    assert client.get("/api/v1/claims").status_code == 401
    r = client.post("/api/v1/debtors", {"name": "X"}, content_type="application/json")
    assert r.status_code == 401
