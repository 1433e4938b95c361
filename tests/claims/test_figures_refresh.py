"""The stored figures: one claim whose statement fails does not stop the others."""

from __future__ import annotations

from decimal import Decimal

import pytest

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
