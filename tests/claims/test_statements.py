"""The statement selectors on the real database (claims/ledger/statements.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from claims.ledger.services import payment_record
from claims.ledger.services import waiver_record
from claims.ledger.statements import claim_statement
from claims.ledger.statements import claim_statements
from claims.ledger.statements import missing_rates
from claims.ledger.statements import rate_table
from claims.ledger.statements import rates_changed
from claims.models import Event
from claims.models import Rate
from tests.factories import ClaimFactory
from tests.factories import RateFactory

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rates():
    """Rates written in a test are rolled back: drop the cached table after."""
    rates_changed()
    yield
    rates_changed()


def _claim(**kw):  # type: ignore[no-untyped-def]
    return ClaimFactory(
        invoices=[
            {
                "amount": D("1234.56"),
                "issue_date": dt.date(2025, 2, 1),
                "due_date": dt.date(2025, 3, 15),
            }
        ],
        **kw,
    )


def test_it_builds_the_be_b2b_statement_from_the_seeded_rates() -> None:
    claim = _claim()
    payment_record(claim=claim, amount=D("300.00"), on=dt.date(2025, 5, 1))
    s = claim_statement(claim=claim, at=dt.date(2025, 9, 30))
    # Same hand computation as tests/claims/law/test_statement.py (law 2 Aug 2002).
    assert [p.amount for p in s.interest_periods] == [
        D("18.28"),
        D("18.77"),
        D("26.28"),
    ]
    assert s.total_due == D("1037.89")


def test_a_rate_saved_in_the_admin_is_used_at_once() -> None:
    claim = ClaimFactory(
        invoices=[
            {
                "amount": D("1000.00"),
                "issue_date": dt.date(2026, 6, 1),
                "due_date": dt.date(2026, 6, 30),
            }
        ]
    )
    before = claim_statement(claim=claim, at=dt.date(2026, 7, 10))
    assert before.uses_fallback_rate  # H2 2026 not published: ECB 2.15 + 8 → 10.5
    RateFactory(value=D("10.00"))
    after = claim_statement(claim=claim, at=dt.date(2026, 7, 10))
    assert not after.uses_fallback_rate
    # 1000 × 10 % × 10 / 365 = 2.7397
    assert after.interest == D("2.74")


def test_the_seed_migration_loaded_every_series() -> None:
    kinds = set(Rate.objects.values_list("kind", flat=True))
    assert kinds == {k.value for k in Rate.Kind}
    assert missing_rates(dt.date(2026, 3, 1)) == []
    assert "be_commercial S2 2026" in missing_rates(dt.date(2026, 11, 26))


def test_waiver_is_recorded_and_subtracted() -> None:
    claim = _claim()
    waiver_record(
        claim=claim, kind="costs", amount=None, reason="client fidèle", actor=None
    )
    # A waiver counts from the day it is recorded (today).
    assert claim_statement(claim=claim, at=dt.date(2025, 3, 20)).waived == D("0.00")
    s = claim_statement(claim=claim, at=timezone.localdate())
    assert (s.costs, s.costs_due, s.waived) == (D("40.00"), D("0.00"), D("40.00"))
    assert claim.events.filter(kind=Event.Kind.WAIVER).count() == 1


def test_bulk_statements_use_a_constant_number_of_queries(
    django_assert_num_queries,
) -> None:
    claims = [_claim() for _ in range(5)]
    rate_table()  # warm the per-process rate cache
    fresh = list(type(claims[0]).objects.filter(pk__in=[c.pk for c in claims]))
    # creditor, debtor, invoices, payments, waivers: one query each
    with django_assert_num_queries(5):
        result = claim_statements(claims=fresh, at=dt.date(2025, 4, 1))
    assert set(result) == {c.pk for c in claims}


def test_statement_command_prints_json(capsys) -> None:
    claim = _claim()
    call_command("statement", claim.reference, "--at", "2025-09-30", "--format", "json")
    out = capsys.readouterr().out
    # 1234.56 + 41.62 (107 d at 11.5 %) + 32.67 (92 d at 10.5 %) + 40 €
    assert '"total_due": "1348.85"' in out
