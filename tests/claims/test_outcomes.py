"""Learning from outcomes: what each amicable stage and each judicial route
brought, computed by grouped queries on a seeded history; the advice ranks by
them from 5 cases; the "Amiable ou judiciaire ?" page has a constant number of
queries whatever the history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.judicial.outcomes import route_outcomes
from claims.judicial.outcomes import stage_outcomes
from claims.judicial.routes import route_advice
from claims.law import routes as r
from claims.models import Action
from claims.models import Claim
from claims.models import JudicialCase
from claims.models import PaymentPlan
from claims.models import ScenarioStep
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("engine_seed")]
DUE = dt.date(2026, 3, 2)


def _today():
    return timezone.localdate()


def _claim(creditor, *, paid_after=None, first=False, notice=False, **extra):
    claim = f.ClaimFactory(creditor=creditor, invoices=[{"amount": Decimal("1000")}])
    fields = {
        "oldest_due_date": DUE,
        "first_reminder_sent_on": DUE + dt.timedelta(days=5) if first else None,
        "formal_notice_sent_on": DUE + dt.timedelta(days=35) if notice else None,
        **extra,
    }
    if paid_after is not None:
        fields |= {
            "status": "closed",
            "stage": "closed",
            "closed_reason": "paid",
            "closed_on": DUE + dt.timedelta(days=paid_after),
            "paid": Decimal("1000.00"),
            "balance": Decimal("0.00"),
        }
    Claim.objects.filter(pk=claim.pk).update(**fields)
    claim.refresh_from_db()
    return claim


def _later_reminder(claim):
    step = ScenarioStep.objects.filter(kind="reminder").first()
    Action.objects.create(
        creditor=claim.creditor,
        claim=claim,
        debtor=claim.debtor,
        step=step,
        due_on=DUE + dt.timedelta(days=15),
        state=Action.State.DONE,
        done_at=timezone.make_aware(dt.datetime(2026, 3, 17, 9)),
    )


def _judicial(creditor, route, *, paid_days=None, costs="100", collected="1000"):
    claim = _claim(
        creditor,
        paid_after=None if paid_days is None else 30 + paid_days,
    )
    JudicialCase.objects.create(
        creditor=creditor,
        claim=claim,
        route=route,
        handed_off_on=DUE + dt.timedelta(days=30),
        outcome="paid" if paid_days is not None else "unrecoverable",
        costs_advanced=Decimal(costs),
        amount_recovered=Decimal(collected if paid_days is not None else "0"),
    )
    return claim


def _history(creditor):
    _claim(creditor, paid_after=10)  # paid before any reminder
    _claim(creditor, paid_after=20, first=True)
    _claim(creditor, paid_after=30, first=True)
    _later_reminder(_claim(creditor, paid_after=40, first=True))
    _later_reminder(_claim(creditor, paid_after=60, first=True, notice=True))
    plan = _claim(creditor, paid_after=100, first=True, notice=True)
    PaymentPlan.objects.create(
        creditor=creditor,
        claim=plan,
        status="completed",
        accepted_on=DUE + dt.timedelta(days=50),
    )
    _later_reminder(_claim(creditor, first=True, notice=True))  # still open
    for days in (40, 50, 60, 70):
        _judicial(creditor, r.BE_UNCONTESTED, paid_days=days)
    _judicial(creditor, r.BE_UNCONTESTED)  # unrecoverable
    _judicial(creditor, r.BE_SUMMONS_JP, paid_days=90, costs="200")


def test_stage_and_route_figures_on_a_seeded_history(cast):
    _history(cast.creditor)
    other = cast.other_creditor  # never counted in creditor A's figures
    _judicial(other, r.BE_UNCONTESTED, paid_days=1, costs="0", collected="1000")
    with CaptureQueriesContext(connection) as ctx:
        stages = stage_outcomes(creditor_id=cast.creditor.pk, today=_today())
    assert len(ctx.captured_queries) == 2
    got = {k: (o.cases, o.paid, o.median_days, o.paid_share) for k, o in stages.items()}
    assert got == {
        "before_reminder": (13, 1, 10.0, Decimal("8")),
        "first_reminder": (6, 2, 25.0, Decimal("33")),
        "reminder": (3, 1, 40.0, Decimal("33")),
        "formal_notice": (3, 1, 60.0, Decimal("33")),
        "plan": (1, 1, 100.0, Decimal("100")),
    }
    assert stages["before_reminder"].net_per_100 == Decimal("7.69")  # 1000/13000

    # A case still running teaches nothing yet: not counted.
    running = _judicial(cast.creditor, r.BE_UNCONTESTED)
    JudicialCase.objects.filter(claim=running).update(outcome="pending")
    with CaptureQueriesContext(connection) as ctx:
        routes = route_outcomes(creditor_id=cast.creditor.pk, today=_today())
    assert len(ctx.captured_queries) == 1
    be = routes[r.BE_UNCONTESTED]
    assert (be.cases, be.paid, be.median_days) == (5, 4, 55.0)
    assert (be.costs, be.claimed, be.collected) == (
        Decimal("500.00"),
        Decimal("5000.00"),
        Decimal("4000.00"),
    )
    assert be.net_per_100 == Decimal("70.00")  # (4000 − 500) × 100 / 5000
    assert be.enough
    jp = routes[r.BE_SUMMONS_JP]
    assert (jp.cases, jp.net_per_100, jp.enough) == (1, Decimal("80.00"), False)

    # The advice shows the learned figure beside the estimate (≥ 5 cases only).
    claim = f.ClaimFactory(creditor=cast.creditor)
    options = {o.route: o for o in route_advice(claim=claim, today=_today()).options}
    assert options[r.BE_UNCONTESTED].learned
    assert options[r.BE_UNCONTESTED].net_learned == (
        claim.balance * Decimal("0.70")
    ).quantize(Decimal("0.01"))
    assert not options[r.BE_SUMMONS_JP].learned


def test_route_advice_page_shows_learned_figures_beside_estimates(client, cast):
    _history(cast.creditor)
    claim = f.ClaimFactory(creditor=cast.creditor)
    client.force_login(cast.owner)
    html = client.get(
        reverse("claims:claim_routes", kwargs={"code": claim.code})
    ).content.decode()
    assert "d'après vos 5 dossiers" in html  # BE uncontested: 5 cases
    assert "pas encore assez pour comparer" in html  # JP: 1 case
    assert "⚠" in html  # the seeded estimates stay flagged


def test_installation_figures_only_from_opted_in_creditors_and_anonymous(cast):
    creditors = [f.CreditorFactory(share_outcomes=True) for _ in range(2)]
    for c in creditors:
        _judicial(c, r.EU_SMALL_CLAIMS, paid_days=10)
    _judicial(f.CreditorFactory(), r.EU_SMALL_CLAIMS, paid_days=10)  # not opted in
    shared = route_outcomes(creditor_id=None, today=_today(), shared=True)
    assert shared == {}  # two creditors only: not anonymous enough
    third = f.CreditorFactory(share_outcomes=True)
    _judicial(third, r.EU_SMALL_CLAIMS, paid_days=10)
    shared = route_outcomes(creditor_id=None, today=_today(), shared=True)
    assert shared[r.EU_SMALL_CLAIMS].cases == 3


def test_page_shows_the_figures_with_a_constant_query_count(client, cast):
    client.force_login(cast.owner)
    url = reverse("claims:outcomes")
    client.get(url)
    with CaptureQueriesContext(connection) as empty:
        page = client.get(url)
    assert "Aucun dossier transmis" in page.content.decode()
    _history(cast.creditor)
    with CaptureQueriesContext(connection) as full:
        page = client.get(url)
    assert len(full.captured_queries) == len(empty.captured_queries)
    html = page.content.decode()
    assert 'data-route="be_uncontested_b2b"' in html
    assert "70.00" in html
    assert 'id="data-outcomes"' in html
    assert (
        reverse("claims:outcomes")
        in client.get(reverse("claims:dashboard")).content.decode()
    )
