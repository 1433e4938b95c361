"""The stored figures: one claim whose statement fails does not stop the others."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from claims.law.rates import MissingRateError
from claims.ledger import statements as st
from claims.ledger.services import claims_refresh_figures
from claims.models import Claim
from tests import factories as f
from tests.figures import statement_balance

pytestmark = pytest.mark.django_db


def test_a_failing_statement_keeps_its_figures_and_the_others_are_written(
    cast, monkeypatch, caplog
):
    good = f.ClaimFactory(creditor=cast.creditor, reference="C-GOOD")
    bad = f.ClaimFactory(creditor=cast.creditor, reference="C-BAD")
    Claim.objects.update(balance=Decimal("1.00"), figures_at=None)
    real = st.compute_statement

    def compute(facts, table, at):
        if facts.invoices[0].number.startswith("C-BAD"):
            raise MissingRateError("be_commercial 2009-01-01")
        return real(facts, table, at)

    monkeypatch.setattr(st, "compute_statement", compute)
    assert claims_refresh_figures(claim_ids=[good.pk, bad.pk]) == 1
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.balance == statement_balance(good) > Decimal("1.00")
    assert (bad.balance, bad.figures_at) == (Decimal("1.00"), None)
    assert f"Statement of claim {bad.pk}" in caplog.text


def test_the_refresh_command_stores_open_claims(cast):
    import io

    from django.core.management import call_command

    claim = f.ClaimFactory(creditor=cast.creditor)
    closed = f.ClaimFactory(creditor=cast.creditor)
    Claim.objects.filter(pk=closed.pk).update(status="closed", stage="closed")
    Claim.objects.update(balance=Decimal("1.00"), figures_at=None)
    out = io.StringIO()
    call_command("refresh_figures", stdout=out)
    assert out.getvalue().startswith("1 claim(s) refreshed")
    claim.refresh_from_db()
    closed.refresh_from_db()
    assert claim.balance == statement_balance(claim)
    assert closed.figures_at is None


def test_the_beat_refreshes_figures_every_hour(settings):
    from recouvrement.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["claims-figures-refresh"]
    assert entry["task"] == "claims.tasks.claims_refresh_figures_task"
    assert entry["schedule"].minute == {7}
    assert len(entry["schedule"].hour) == 24
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_the_task_queues_the_next_batch_while_claims_remain(cast, monkeypatch):
    from claims.engine import tasks

    claims = [f.ClaimFactory(creditor=cast.creditor) for _ in range(3)]
    Claim.objects.update(figures_at=None)
    queued = []
    monkeypatch.setattr(
        tasks.claims_refresh_figures_task, "delay", lambda *a: queued.append(a)
    )
    assert tasks.claims_refresh_figures_task(batch=2) == 2
    assert queued == [(2, sorted(c.pk for c in claims)[1])]
    assert tasks.claims_refresh_figures_task(*queued[0]) == 1
    assert len(queued) == 1  # nothing left: no further batch
    assert not Claim.objects.filter(figures_at__isnull=True).exists()


def _varied_book():
    """A seeded book (payments, disputes, pauses, every age) plus what the
    seed does not write: partial and cancelled waivers, a credit note, a
    cancelled invoice, judicial costs after a title, another currency."""
    import datetime as dt

    from claims.demo import seed_demo
    from claims.models import Invoice
    from claims.models import InvoiceKind
    from claims.models import JudicialCase
    from claims.models import JudicialStep
    from claims.models import Payment
    from claims.models import Waiver
    from tests.claims.engine_fixtures import ensure_reference_data

    today = dt.date(2026, 11, 26)
    ensure_reference_data()
    seed_demo(n_claims=120, today=today, seed=7)
    claims = list(Claim.objects.filter(status="open").order_by("pk")[:12])
    assert len(claims) == 12
    a, b, c, d, e, g, h, *_ = claims
    for claim, kind, amount in (
        (a, Waiver.Kind.INTEREST, None),
        (b, Waiver.Kind.COSTS, Decimal("5.00")),
        (c, Waiver.Kind.INTEREST, Decimal("0.50")),
    ):
        Waiver.objects.create(
            creditor_id=claim.creditor_id,
            claim=claim,
            kind=kind,
            amount=amount,
            reason="geste commercial",
        )
    kept = Waiver.objects.create(
        creditor_id=d.creditor_id, claim=d, kind="costs", reason="erreur"
    )
    Waiver.objects.create(
        creditor_id=d.creditor_id,
        claim=d,
        kind="costs",
        reason="annulée",
        reverses=kept,
    )
    first = e.invoices.order_by("pk").first()
    Invoice.objects.create(
        creditor_id=e.creditor_id,
        claim=e,
        kind=InvoiceKind.CREDIT_NOTE,
        number=f"NC-{e.pk}",
        issue_date=today - dt.timedelta(days=20),
        due_date=today - dt.timedelta(days=20),
        amount=Decimal("12.34"),
        credited_invoice=first,
    )
    extra = Invoice.objects.create(
        creditor_id=g.creditor_id,
        claim=g,
        number=f"X-{g.pk}",
        issue_date=today - dt.timedelta(days=90),
        due_date=today - dt.timedelta(days=60),
        amount=Decimal("250.00"),
    )
    Invoice.objects.create(
        creditor_id=g.creditor_id,
        claim=g,
        number=f"X-{g.pk}-R",
        issue_date=today - dt.timedelta(days=10),
        due_date=today - dt.timedelta(days=10),
        amount=Decimal("250.00"),
        reverses=extra,
    )
    Payment.objects.create(
        creditor_id=h.creditor_id,
        claim=h,
        date=today - dt.timedelta(days=3),
        amount=Decimal("7.77"),
        reference="part",
    )
    judicial = claims[7]
    Claim.objects.filter(pk=judicial.pk).update(stage="judicial")
    case = JudicialCase.objects.create(
        claim=judicial, creditor_id=judicial.creditor_id, route="injonction"
    )
    for kind, on, costs in (
        ("title", today - dt.timedelta(days=30), Decimal("0")),
        ("enforcement", today - dt.timedelta(days=10), Decimal("123.45")),
        ("enforcement", today + dt.timedelta(days=10), Decimal("99.00")),
    ):
        JudicialStep.objects.create(
            creditor_id=judicial.creditor_id,
            case=case,
            kind=kind,
            on=on,
            costs_awarded=costs,
        )
    Claim.objects.filter(pk=claims[8].pk).update(currency="CHF")
    return today


def test_the_stored_figures_are_each_claim_s_statement(cast):
    from claims.ledger.statements import claim_statement

    today = _varied_book()
    Claim.objects.update(
        balance=Decimal("1.00"), due_interest=Decimal("1.00"), figures_at=None
    )
    for at in (today, today + timedelta(days=45)):
        ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
        assert claims_refresh_figures(claim_ids=ids, at=at) == len(ids)
        for claim in Claim.objects.select_related("creditor", "debtor"):
            s = claim_statement(claim=claim, at=at)
            oldest = min(
                (i.due_date for i in claim.invoices.all() if i.kind != "credit_note"),
                default=None,
            )
            assert (
                claim.principal,
                claim.paid,
                claim.balance,
                claim.due_principal,
                claim.due_interest,
                claim.due_costs,
                claim.figures_at,
                claim.oldest_due_date,
            ) == (
                max(s.principal, Decimal("0.00")),
                s.paid,
                s.total_due - s.credit,
                s.principal_due,
                s.interest_due,
                s.costs_due,
                at,
                oldest,
            ), claim.pk
    costs = Claim.objects.get(stage="judicial", judicial__isnull=False)
    assert costs.due_costs >= Decimal("123.45")


def test_an_unchanged_claim_is_not_rewritten(cast, django_assert_num_queries):
    claims = [f.ClaimFactory(creditor=cast.creditor) for _ in range(3)]
    ids = [c.pk for c in claims]
    claims_refresh_figures(claim_ids=ids)
    stamped = dict(Claim.objects.values_list("pk", "updated_at"))
    Claim.objects.filter(pk=ids[0]).update(balance=Decimal("1.00"))
    # ids, claims, creditors, invoices, payments, waivers, one UPDATE of one claim
    with django_assert_num_queries(7) as ctx:
        assert claims_refresh_figures(claim_ids=ids) == 3
    last = ctx.captured_queries[-1]["sql"]
    assert last.startswith("UPDATE")
    if connection.vendor == "postgresql":  # one statement whatever the batch
        assert "unnest" in last
    after = dict(Claim.objects.values_list("pk", "updated_at"))
    assert after[ids[0]] > stamped[ids[0]]
    assert [after[pk] for pk in ids[1:]] == [stamped[pk] for pk in ids[1:]]
    with django_assert_num_queries(6):
        assert claims_refresh_figures(claim_ids=ids) == 3
