"""Dashboard figures computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from claims.ledger import selectors
from claims.ledger.services import payment_record
from claims.ledger.statements import claim_statement
from claims.ledger.statements import creditor_today
from claims.models import Claim
from claims.templatetags.money import format_money
from tests import factories as f

D = Decimal


def test_dso_count_back_walks_months_until_receivables_are_used():
    # March: 15 days elapsed, 1000 invoiced → all covered (500 left);
    # February: 28 days, 1000 invoiced, 500 left → 14 days. 15 + 14 = 29.
    days = selectors.dso_count_back(
        receivables=D("1500"),
        monthly_sales=[D("1000"), D("1000"), D("1000")],
        today=dt.date(2026, 3, 15),
    )
    assert days == D("29")


def test_dso_is_none_without_sales():
    assert (
        selectors.dso_count_back(
            receivables=D("10"), monthly_sales=[D("0")], today=dt.date(2026, 3, 1)
        )
        is None
    )


def test_cei_formula():
    # (1000 + 3000 − 1500) / (1000 + 3000 − 500) = 2500 / 3500 = 71.43 %
    cei = selectors.collection_effectiveness(
        opening=D("1000"), sales=D("3000"), closing=D("1500"), current=D("500")
    )
    assert cei == D("71.4")


def test_month_start_crosses_years():
    assert selectors.month_start(dt.date(2026, 2, 20), back=3) == dt.date(2025, 11, 1)


@pytest.mark.django_db
def test_figures_and_aging_buckets(cast):
    today = dt.date(2026, 6, 30)
    specs = [
        (dt.date(2026, 7, 10), D("100.00")),  # not due
        (dt.date(2026, 6, 20), D("200.00")),  # 10 days late
        (dt.date(2026, 5, 1), D("300.00")),  # 60 days late
        (dt.date(2026, 1, 1), D("400.00")),  # 180 days late
    ]
    for due, amount in specs:
        f.ClaimFactory(
            creditor=cast.creditor,
            invoices=[
                {
                    "issue_date": due - dt.timedelta(days=30),
                    "due_date": due,
                    "amount": amount,
                }
            ],
        )
    f.ClaimFactory(creditor=cast.other_creditor)  # never counted
    late = Claim.objects.get(creditor=cast.creditor, principal=D("400.00"))
    Claim.objects.filter(pk=late.pk).update(stage="formal_notice")
    payment_record(claim=late, amount=D("150.00"), on=dt.date(2026, 6, 2))

    fig = selectors.dashboard_figures(creditor_id=cast.creditor.pk, today=today)

    # Every amount is the statement of account (interest and fees included),
    # the figure stored on each claim, never invoiced minus paid.
    due = {
        c.principal: claim_statement(
            claim=c, at=creditor_today(cast.creditor)
        ).total_due
        for c in Claim.objects.filter(creditor=cast.creditor)
    }
    assert due[D("100.00")] > D("100.00")  # late by now: interest and 40 €
    assert fig["outstanding"] == sum(due.values())
    assert fig["overdue"] == due[D("200.00")] + due[D("300.00")] + due[D("400.00")]
    assert fig["overdue_count"] == 3
    assert fig["formal_notice"] == due[D("400.00")]
    assert fig["age_not_due"] == due[D("100.00")]
    assert fig["age_1_30"] == due[D("200.00")]
    assert fig["age_31_60"] == due[D("300.00")]
    assert fig["age_61_90"] == D("0.00")
    assert fig["age_90_plus"] == due[D("400.00")]
    cash = selectors.cash_by_month(creditor_id=cast.creditor.pk, today=today)
    assert len(cash) == 12
    assert cash[-1] == {"month": dt.date(2026, 6, 1), "total": D("150.00")}
    assert cash[0]["month"] == dt.date(2025, 7, 1)


@pytest.mark.django_db
def test_recovery_by_stage_credits_payments_to_the_step_reached(cast):
    claim = f.ClaimFactory(creditor=cast.creditor)  # 1210.00
    Claim.objects.filter(pk=claim.pk).update(
        first_reminder_sent_on=dt.date(2026, 3, 1),
        formal_notice_sent_on=dt.date(2026, 4, 1),
    )
    payment_record(claim=claim, amount=D("121.00"), on=dt.date(2026, 3, 10))
    payment_record(claim=claim, amount=D("605.00"), on=dt.date(2026, 4, 5))
    rows = {
        r["key"]: r for r in selectors.recovery_by_stage(creditor_id=cast.creditor.pk)
    }
    assert rows["amicable"]["collected"] == D("121.00")
    assert rows["amicable"]["rate"] == D("10.0")
    assert rows["formal_notice"]["collected"] == D("605.00")
    assert rows["formal_notice"]["rate"] == D("50.0")
    assert rows["judicial"]["rate"] is None


@pytest.mark.django_db
def test_decisions_count_prescription_and_missing_rate(cast):
    consumer = f.ConsumerFactory(creditor=cast.creditor)
    f.ClaimFactory(
        creditor=cast.creditor,
        debtor=consumer,
        invoices=[{"issue_date": dt.date(2025, 7, 1), "due_date": dt.date(2025, 8, 1)}],
    )
    counts = selectors.decisions_needed(
        creditor_id=cast.creditor.pk, today=dt.date(2026, 6, 1)
    )
    # BE consumer goods: 1 year from 1/8/2025 → 1/8/2026, within 90 days of 1/6.
    assert counts["prescription"] == 1
    # The seeded table has every published H1 2026 value; H2 2026 is not
    # published (legal brief §0), so in October the BE commercial rate misses.
    assert counts["missing_rate"] == 0
    later = selectors.decisions_needed(
        creditor_id=cast.creditor.pk, today=dt.date(2026, 10, 1)
    )
    assert later["missing_rate"] >= 1


def test_money_format_per_language():
    assert format_money(D("1234.56"), lang="fr") == "1\u202f234,56\u00a0€"
    with translation.override("nl"):
        assert format_money(D("1234.56"), lang="nl") == "€\u00a01.234,56"
    with translation.override("en"):
        assert format_money(D("-1234.5"), lang="en") == "-€1,234.50"
    assert format_money(None) == ""
