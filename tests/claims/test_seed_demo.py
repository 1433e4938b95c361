"""seed_demo: valid identifiers, consistent totals, every age, fast enough."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from stdnum import iso11649

from claims.demo import identifiers as ids
from claims.demo import seed_demo
from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Invoice
from claims.models import Membership
from claims.models import Payment
from claims.models import Stage
from claims.validators import normalize_iban
from claims.validators import ogm_is_valid

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def book(db):
    return seed_demo(n_claims=300, today=TODAY, seed=11)


def test_it_creates_a_creditor_in_liege_and_one_in_lyon(book):
    assert sorted(Creditor.objects.values_list("city", "country")) == [
        ("Liège", "BE"),
        ("Lyon", "FR"),
    ]
    assert book.claims == Claim.objects.count() == 300


def test_every_creditor_and_debtor_passes_the_validators(book):
    for row in [*Creditor.objects.all(), *Debtor.objects.all()]:
        before = (row.enterprise_number, row.vat_number, row.iban)
        row.full_clean()  # raises on a wrong check digit
        assert (row.enterprise_number, row.vat_number, row.iban) == before
    kinds = set(Debtor.objects.values_list("kind", flat=True))
    assert kinds == {"business", "consumer"}
    assert set(Debtor.objects.values_list("language", flat=True)) == {"fr", "nl", "en"}


def test_structured_references_carry_valid_check_digits(book):
    be = Claim.objects.filter(creditor__country="BE")
    fr = Claim.objects.filter(creditor__country="FR")
    assert all(
        ogm_is_valid(r) for r in be.values_list("structured_reference", flat=True)
    )
    assert all(
        iso11649.is_valid(r) for r in fr.values_list("structured_reference", flat=True)
    )
    assert Creditor.objects.get(country="BE").ogm_sequence == be.count()


def test_cached_totals_match_invoices_minus_payments(book):
    """Closed claims keep the ledger totals; open ones store the statement."""
    invoiced = dict(
        Invoice.objects.values("claim")
        .annotate(t=Sum("amount"))
        .values_list("claim", "t")
    )
    paid = dict(
        Payment.objects.values("claim")
        .annotate(t=Sum("amount"))
        .values_list("claim", "t")
    )
    for claim in Claim.objects.filter(status="closed"):
        assert claim.principal == invoiced[claim.pk]
        assert claim.paid == paid.get(claim.pk, Decimal("0.00"))
    for claim in Claim.objects.all():
        assert claim.oldest_due_date == min(i.due_date for i in claim.invoices.all())
    closed = Claim.objects.filter(status="closed")
    assert closed.exists()
    assert not closed.exclude(balance=0).exists()


def test_open_claims_store_the_statement_of_the_seed_day(book):
    from claims.statements import claim_statement
    from tests.figures import statement_balance

    open_claims = list(Claim.objects.filter(status="open"))
    assert open_claims
    for claim in open_claims:
        statement = claim_statement(claim=claim, at=TODAY)
        assert claim.figures_at == TODAY
        assert claim.principal == statement.principal  # invoices issued by then
        assert claim.balance == statement_balance(claim, at=TODAY)
    # Interest and fees are part of it: not "invoiced minus paid" everywhere.
    assert any(c.balance > c.principal - c.paid for c in open_claims)


def test_claims_span_every_age_and_state(book):
    ages = {
        (TODAY - d).days
        for d in Claim.objects.values_list("oldest_due_date", flat=True)
    }
    assert any(a < 0 for a in ages)
    for lo, hi in [(1, 30), (31, 60), (61, 90), (91, 10_000)]:
        assert any(lo <= a <= hi for a in ages), (lo, hi)
    stages = set(Claim.objects.values_list("stage", flat=True))
    assert {Stage.AMICABLE, Stage.FORMAL_NOTICE, Stage.CLOSED, Stage.DISPUTED} <= stages
    partly = Claim.objects.filter(status="open", paid__gt=0)
    assert partly.exists()


def test_demo_users_own_and_read_both_creditors(book):
    from django.contrib.auth import authenticate

    demo = authenticate(username="demo", password="demo-recouvrement")
    assert demo is not None
    assert demo.is_superuser
    reader = authenticate(username="lecture", password="demo-lecture")
    assert reader is not None
    assert not reader.is_staff
    assert set(Membership.objects.filter(user=demo).values_list("role", flat=True)) == {
        "owner"
    }
    assert Membership.objects.filter(user=reader, role="readonly").count() == 2


class _Rollback(Exception):
    pass


def _snapshot():
    return (
        list(
            Claim.objects.order_by("reference").values_list(
                "reference", "code", "principal", "stage"
            )
        ),
        list(
            Debtor.objects.order_by("code").values_list(
                "code", "name", "enterprise_number", "iban"
            )
        ),
    )


def _seed_and_roll_back(seen: list) -> None:
    from django.db import transaction

    with transaction.atomic():
        seed_demo(n_claims=30, today=TODAY, seed=5)
        seen.append(_snapshot())
        raise _Rollback


def test_it_is_deterministic(db):
    """Two runs with one seed and one day write the same book, codes included."""
    seen: list = []
    with pytest.raises(_Rollback):
        _seed_and_roll_back(seen)
    assert not Claim.objects.exists()
    seed_demo(n_claims=30, today=TODAY, seed=5)
    assert _snapshot() == seen[0]
    assert seen[0][0][0][0] == "LG-000001"


def test_the_command_skips_with_if_empty(db, capsys):
    call_command("seed_demo", "--claims", "10", "--today", "2026-11-26")
    call_command("seed_demo", "--claims", "10", "--if-empty")
    assert Claim.objects.count() == 10


def test_the_command_refuses_a_second_run_without_if_empty(db):
    from django.core.management.base import CommandError

    call_command("seed_demo", "--claims", "5", verbosity=0)
    with pytest.raises(CommandError):
        call_command("seed_demo", "--claims", "5", verbosity=0)


@pytest.mark.parametrize(
    ("make", "check"),
    [
        (lambda r: ids.be_enterprise_number(r), lambda v: v),
        (lambda r: ids.fr_siret(ids.fr_siren(r), r), lambda v: v),
    ],
)
def test_generated_enterprise_numbers_are_valid(make, check):
    import random

    from claims.validators import normalize_enterprise_number

    rng = random.Random(3)
    for _ in range(200):
        value = make(rng)
        country = "BE" if "." in value else "FR"
        assert normalize_enterprise_number(value, country) == check(value)


def test_generated_ibans_and_vat_numbers_are_valid():
    import random

    from claims.validators import normalize_vat_number

    rng = random.Random(4)
    for _ in range(200):
        assert normalize_iban(ids.be_iban(rng))
        assert normalize_iban(ids.fr_iban(rng))
        siren = ids.fr_siren(rng)
        assert normalize_vat_number(ids.fr_vat(siren)) == ids.fr_vat(siren)
    # Known value: La Poste's VAT key (SIREN 356000000 → FR39).
    assert ids.fr_vat("356000000") == "FR39356000000"


def test_seed_2000_claims_is_fast(db):
    started = time.perf_counter()
    result = seed_demo(n_claims=2000, today=TODAY, seed=1)
    elapsed = time.perf_counter() - started
    print(f"seed_demo 2000 claims: {elapsed:.2f} s")  # noqa: T201
    assert result.claims == 2000
    # Two password hashes (~1.5 s) + bulk writes; 100,000 claims take ~30 s.
    assert elapsed < 10


def test_the_set_based_refresh_restores_spoilt_totals(book):
    from claims.demo import refresh_totals_set_based

    expected = sorted(Claim.objects.values_list("pk", "principal", "paid", "balance"))
    Claim.objects.update(principal=Decimal("1.00"), paid=0, balance=Decimal("1.00"))
    refresh_totals_set_based(
        creditor_ids=list(Creditor.objects.values_list("pk", flat=True)), today=TODAY
    )
    assert (
        sorted(Claim.objects.values_list("pk", "principal", "paid", "balance"))
        == expected
    )
