"""Pages cost the same number of queries at 10 and at 1,000 claims."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from claims.models import Action
from claims.models import Claim
from claims.models import Invoice
from claims.models import Payment
from claims.models import Scenario
from claims.models import ScenarioStep
from tests import factories as f

pytestmark = pytest.mark.django_db


def _bulk_claims(creditor, n: int) -> Claim:
    """``n`` claims with one invoice, one payment and one planned action each."""
    debtor = f.DebtorFactory(creditor=creditor)
    scenario = Scenario.objects.create(name="s", country="BE", debtor_kind="business")
    step = ScenarioStep.objects.create(
        scenario=scenario, position=1, kind="reminder", offset_days=10, template="r"
    )
    today = dt.date.today()
    claims = Claim.objects.bulk_create(
        Claim(
            creditor=creditor,
            debtor=debtor,
            reference=f"B-{i:05d}",
            principal=Decimal("100.00"),
            balance=Decimal("90.00"),
            paid=Decimal("10.00"),
            oldest_due_date=today - dt.timedelta(days=i % 120),
            stage=["amicable", "formal_notice", "judicial"][i % 3],
        )
        for i in range(n)
    )
    Invoice.objects.bulk_create(
        Invoice(
            creditor=creditor,
            claim=c,
            number=f"I-{c.reference}",
            issue_date=today - dt.timedelta(days=150),
            due_date=today - dt.timedelta(days=120),
            amount=Decimal("100.00"),
        )
        for c in claims
    )
    Payment.objects.bulk_create(
        Payment(creditor=creditor, claim=c, date=today, amount=Decimal("10.00"))
        for c in claims
    )
    Action.objects.bulk_create(
        Action(creditor=creditor, claim=c, debtor=debtor, step=step, due_on=today)
        for c in claims
    )
    return claims[0]


@pytest.mark.parametrize(
    "page", ["dashboard", "claim_list", "claim_detail", "debtor_list"]
)
def test_query_count_does_not_grow_with_claims(
    client, cast, page, django_assert_num_queries
):
    small = _bulk_claims(cast.creditor, 10)
    client.force_login(cast.owner)
    kwargs = {"code": small.code} if page == "claim_detail" else {}
    url = reverse(f"claims:{page}", kwargs=kwargs)
    baseline = EXPECTED[page]
    # The first dashboard (or unfiltered claims list) after a change of the
    # claims recomputes the stored figures: a constant number of queries more,
    # at 10 as at 1,000 claims.
    refresh = FIGURES_REFRESH if page in ("dashboard", "claim_list") else 0
    client.get(url)  # warm the session
    if refresh:
        Claim.objects.filter(pk=small.pk).update(balance=Decimal("91.00"))
        with django_assert_num_queries(baseline + refresh):
            client.get(url)
    with django_assert_num_queries(baseline):
        client.get(url)
    _bulk_more(cast.creditor, small)
    if refresh:
        with django_assert_num_queries(baseline + refresh):
            assert client.get(url).status_code == 200
    with django_assert_num_queries(baseline):
        assert client.get(url).status_code == 200


def _bulk_more(creditor, first: Claim) -> None:
    """990 more claims of the same debtor (1,000 in all)."""
    today = dt.date.today()
    claims = Claim.objects.bulk_create(
        Claim(
            creditor=creditor,
            debtor_id=first.debtor_id,
            reference=f"M-{i:05d}",
            principal=Decimal("100.00"),
            balance=Decimal("100.00"),
            oldest_due_date=today - dt.timedelta(days=i % 200),
        )
        for i in range(990)
    )
    Payment.objects.bulk_create(
        Payment(creditor=creditor, claim=c, date=today, amount=Decimal("5.00"))
        for c in claims
    )
    assert Claim.objects.filter(creditor=creditor).count() == 1000


# Stored dashboard figures recomputed: change list emptied (1), one grouped
# aggregate per table read — claims, payments, invoices, actions, judicial
# cases (5) —, the row stored (1), in place of reading it (the row read stays
# counted in the 12).
FIGURES_REFRESH = 7

# Queries per page. Every page: 1 session, 2 user, 3 membership + creditor,
# and last the creditor switcher (other memberships).
EXPECTED = {
    # + stored figures: headline, aging, cash and invoiced by month, CEI,
    # recovery by step, the claims' and sends' decisions (1),
    # forecast: selection (1), ended pauses (1), actions (1), pending steps (1),
    # decisions: judicial deadlines (1), plans (1),
    # creditor country (1); the rate table is cached per process (0)
    "dashboard": 12,
    # + count: the stored figures' open claims when unfiltered (1), page with
    # debtors (1)
    "claim_list": 6,
    # + claim & debtor (1), invoices (1), payments (1), waivers (1),
    # actions (1), events (1), documents (1), accepted payment plan (1),
    # hand-off block: directory (1), registered letters (1), their proofs (1)
    "claim_detail": 15,
    # + count (1), page with exposure (1)
    "debtor_list": 6,
}
