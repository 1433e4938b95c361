"""The plan in the debtor portal: read it (PDF), accept it by a click recorded
with its time and IP address, or sign online a plan the creditor granted."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from claims.models import PaymentPlan
from letters.models import Document
from tests.letters.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(
        dt.datetime(2026, 4, 10, 10, 0, tzinfo=dt.UTC), tick=False
    ):
        yield


def _counter(portal, client, cast, claim) -> PaymentPlan:
    portal.post(f"/p/c/{claim.code}/plan/", {"count": "12", "first_on": "2026-05-01"})
    plan = PaymentPlan.objects.get()
    client.force_login(cast.owner)
    client.post(
        f"/p/manage/plans/{plan.code}/",
        {"decision": "counter", "count": "3", "first_on": "2026-05-01", "note": ""},
    )
    return plan


def test_the_debtor_reads_then_accepts_a_plan_by_a_click(portal, claim, client, cast):
    plan = _counter(portal, client, cast, claim)
    page = portal.get(f"/p/c/{claim.code}/").text
    assert f"/p/plan/{plan.code}/pdf/" in page
    pdf = portal.get(f"/p/plan/{plan.code}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.getvalue())
    assert "Date et signature" in text  # not accepted yet: signature lines
    portal.post(f"/p/plan/{plan.code}/accept/", REMOTE_ADDR="192.0.2.44")
    plan.refresh_from_db()
    assert plan.status == "active"
    assert plan.accepted_on == dt.date(2026, 4, 10)
    assert plan.accepted_at is not None
    assert plan.accepted_ip == "192.0.2.44"
    text = pdf_text(portal.get(f"/p/plan/{plan.code}/pdf/").getvalue())
    assert "192.0.2.44" in text
    assert "10 avril 2026 à 12:00" in text  # Brussels time of the click


def test_a_granted_plan_is_signed_online_and_archived(portal, claim, client, cast):
    portal.post(f"/p/c/{claim.code}/plan/", {"count": "3", "first_on": "2026-05-01"})
    plan = PaymentPlan.objects.get()
    client.force_login(cast.owner)
    client.post(f"/p/manage/plans/{plan.code}/", {"decision": "accept", "note": ""})
    plan.refresh_from_db()
    assert plan.status == "active"
    assert plan.accepted_at is None  # granted by the creditor: not signed yet
    assert "Je signe ce plan en ligne" in portal.get(f"/p/c/{claim.code}/").text
    portal.post(f"/p/plan/{plan.code}/sign/", REMOTE_ADDR="192.0.2.45")
    portal.post(f"/p/plan/{plan.code}/sign/", REMOTE_ADDR="192.0.2.99")  # twice
    plan.refresh_from_db()
    assert plan.accepted_ip == "192.0.2.45"
    doc = Document.objects.get(claim=claim, kind="plan")
    assert doc.sha256
    with doc.file.open("rb") as fh:
        assert "192.0.2.45" in pdf_text(fh.read())
    # The debtor finds it among the claim's documents in the portal.
    assert f"/p/d/{doc.code}/" in portal.get(f"/p/c/{claim.code}/").text
