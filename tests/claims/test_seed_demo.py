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
from claims.ledger.validators import normalize_iban
from claims.ledger.validators import ogm_is_valid
from claims.models import Action
from claims.models import Claim
from claims.models import Creditor
from claims.models import Debtor
from claims.models import Event
from claims.models import Invoice
from claims.models import Membership
from claims.models import Payment
from claims.models import Stage

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="class")
def _book(django_db_setup, django_db_blocker):
    """One 300-claim book for the tests that only read it (its history is
    played by the engine: built once, rolled back after the class)."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            from tests.claims.engine_fixtures import ensure_reference_data

            ensure_reference_data()
            yield seed_demo(n_claims=300, today=TODAY, seed=11)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def book(_book, db):
    return _book


class TestTheBook:
    """Read-only checks on one book whose history the engine played."""

    def test_it_creates_a_creditor_in_liege_and_one_in_lyon(self, book):
        assert sorted(Creditor.objects.values_list("city", "country")) == [
            ("Liège", "BE"),
            ("Lyon", "FR"),
        ]
        assert book.claims == Claim.objects.count() == 300

    def test_every_creditor_and_debtor_passes_the_validators(self, book):
        for row in [*Creditor.objects.all(), *Debtor.objects.all()]:
            before = (row.enterprise_number, row.vat_number, row.iban)
            row.full_clean()  # raises on a wrong check digit
            assert (row.enterprise_number, row.vat_number, row.iban) == before
        kinds = set(Debtor.objects.values_list("kind", flat=True))
        assert kinds == {"business", "consumer"}
        assert set(Debtor.objects.values_list("language", flat=True)) == {
            "fr",
            "nl",
            "en",
        }

    def test_structured_references_carry_valid_check_digits(self, book):
        be = Claim.objects.filter(creditor__country="BE")
        fr = Claim.objects.filter(creditor__country="FR")
        assert all(
            ogm_is_valid(r) for r in be.values_list("structured_reference", flat=True)
        )
        assert all(
            iso11649.is_valid(r)
            for r in fr.values_list("structured_reference", flat=True)
        )
        assert Creditor.objects.get(country="BE").ogm_sequence == be.count()

    def test_cached_totals_match_invoices_minus_payments(self, book):
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
            assert claim.oldest_due_date == min(
                i.due_date for i in claim.invoices.all()
            )
        closed = Claim.objects.filter(status="closed")
        assert closed.exists()
        # Paid in full: nothing left, at most a credit to refund (overpaid).
        assert not closed.filter(closed_reason="paid", balance__gt=0).exists()

    def test_open_claims_store_the_statement_of_the_seed_day(self, book):
        from claims.ledger.statements import claim_statement
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

    def test_claims_span_every_age_and_state(self, book):
        ages = {
            (TODAY - d).days
            for d in Claim.objects.values_list("oldest_due_date", flat=True)
        }
        assert any(a < 0 for a in ages)
        for lo, hi in [(1, 30), (31, 60), (61, 90), (91, 10_000)]:
            assert any(lo <= a <= hi for a in ages), (lo, hi)
        stages = set(Claim.objects.values_list("stage", flat=True))
        assert {
            Stage.AMICABLE,
            Stage.FORMAL_NOTICE,
            Stage.CLOSED,
            Stage.DISPUTED,
        } <= stages
        partly = Claim.objects.filter(status="open", paid__gt=0)
        assert partly.exists()

    def test_the_dashboard_figures_are_the_claims_own(self, book):
        _assert_dashboard_figures_right()

    def test_demo_users_own_and_read_both_creditors(self, book):
        from django.contrib.auth import authenticate

        demo = authenticate(username="demo", password="demo-recouvrement")
        assert demo is not None
        assert demo.is_superuser
        reader = authenticate(username="lecture", password="demo-lecture")
        assert reader is not None
        assert not reader.is_staff
        assert set(
            Membership.objects.filter(user=demo).values_list("role", flat=True)
        ) == {"owner"}
        assert Membership.objects.filter(user=reader, role="readonly").count() == 2

    def test_every_stage_has_the_history_that_leads_there(self, book):
        _assert_history_consistent()

    def test_a_claim_at_the_plan_stage_has_its_accepted_plan(self, book):
        from claims.models import PaymentPlan

        at_plan = Claim.objects.filter(stage=Stage.PAYMENT_PLAN)
        assert at_plan.exists()
        for claim in at_plan:
            plan = PaymentPlan.objects.get(claim=claim, status="active")
            assert plan.accepted_on < TODAY
            assert claim.events.filter(kind="plan").exists()

    def test_the_timeline_reads_in_the_reader_s_language(self, book):
        """Every entry the demo writes is a message id plus parameters, so a
        Dutch or English reader sees none of it in French."""
        from django.utils import translation

        from claims.models import Event

        events = list(Event.objects.all())
        assert len(events) > 300
        bare = [e.message for e in events if not e.data.get("t")]
        assert not bare, bare[:5]
        french = ("envoyé", "Étape", "reçu", "Relances", "Mise en demeure")
        for lang in ("nl", "en"):
            with translation.override(lang):
                texts = {e.text for e in events}
            leaked = [t for t in texts if any(w in t for w in french)]
            assert not leaked, (lang, leaked[:5])

    def test_the_history_is_dated_in_the_past(self, book):
        done = Action.objects.filter(state="done")
        assert done.exists()
        assert not done.filter(done_at__date__gte=TODAY).exists()
        events = Event.objects.filter(kind__in=["action_done", "payment", "stage"])
        assert not events.filter(at__date__gte=TODAY).exists()
        # The last days were delivered by the letters app: real messages.
        from letters.models import OutboundMessage

        assert OutboundMessage.objects.exists()

    def test_the_first_tick_does_only_what_is_due_today(self, book, deliverer):
        """The defect of issue 13: the first tick after ``make run`` sent first
        reminders to claims at the formal-notice stage, for steps dated months
        ago. Now it sends what the dashboard forecast for today, nothing more."""
        from claims.engine.run import collection_forecast
        from claims.engine.run import collection_run_sync
        from tests.claims.engine_fixtures import at

        forecast = set()
        for creditor in Creditor.objects.all():
            forecast |= {
                (e.debtor_id, frozenset(e.action_ids))
                for e in collection_forecast(creditor_id=creditor.pk, today=TODAY)
                if e.day == TODAY
            }
        stages = dict(Claim.objects.values_list("pk", "stage"))
        reminded = set(
            Claim.objects.filter(first_reminder_sent_on__isnull=False).values_list(
                "pk", flat=True
            )
        )
        before = set(Action.objects.filter(state="done").values_list("pk", flat=True))
        collection_run_sync(now=at(TODAY, 12))
        # What the tick did: messages (the deliverer) and escalations (no message).
        did: dict[int, set[int]] = {}
        for pk, debtor_id in (
            Action.objects.filter(state="done")
            .exclude(pk__in=before)
            .values_list("pk", "debtor_id")
        ):
            did.setdefault(debtor_id, set()).add(pk)
        assert {(d, frozenset(pks)) for d, pks in did.items()} == forecast
        done_now = {pk for pks in did.values() for pk in pks}
        assert set(deliverer.action_ids) <= done_now
        for a in Action.objects.filter(pk__in=done_now).select_related("step"):
            assert a.due_on >= TODAY - dt.timedelta(days=1), (a.due_on, a.step.kind)
            if a.step.kind == "first_reminder":
                assert stages[a.claim_id] == Stage.AMICABLE
                assert a.claim_id not in reminded

    def test_the_set_based_refresh_restores_spoilt_totals(self, book):
        from claims.demo import refresh_totals_set_based

        # Open claims get the statement again; closed ones their ledger totals
        # (principal and paid; the balance they closed with is theirs).
        opened = Claim.objects.filter(status="open")
        expected = sorted(opened.values_list("pk", "principal", "paid", "balance"))
        ledger = sorted(Claim.objects.values_list("pk", "principal", "paid"))
        Claim.objects.update(principal=Decimal("1.00"), paid=0, balance=Decimal("1.00"))
        refresh_totals_set_based(
            creditor_ids=list(Creditor.objects.values_list("pk", flat=True)),
            today=TODAY,
        )
        assert sorted(opened.values_list("pk", "principal", "paid", "balance")) == (
            expected
        )
        assert sorted(Claim.objects.values_list("pk", "principal", "paid")) == ledger


def _assert_history_consistent() -> None:
    """No claim at a stage without the steps that lead there; nothing planned
    left in the past for a claim the engine may contact."""
    done = Action.objects.filter(state="done")
    noticed = set(
        done.filter(step__kind="formal_notice").values_list("claim_id", flat=True)
    )
    at_notice = Claim.objects.filter(stage=Stage.FORMAL_NOTICE)
    assert at_notice.exists()
    assert set(at_notice.values_list("pk", flat=True)) <= noticed
    assert not Claim.objects.filter(stage=Stage.JUDICIAL).exists()
    for pk in at_notice.values_list("pk", flat=True)[:50]:
        assert Event.objects.filter(
            claim_id=pk, kind="stage", data__after="formal_notice"
        ).exists()
    first = set(
        done.filter(step__kind="first_reminder").values_list("claim_id", flat=True)
    )
    sent_first = Claim.objects.filter(first_reminder_sent_on__isnull=False)
    assert set(sent_first.values_list("pk", flat=True)) <= first
    assert first <= set(sent_first.values_list("pk", flat=True))
    assert done.count() == Event.objects.filter(kind="action_done").count()
    stale = Action.objects.filter(
        state="planned",
        due_on__lt=TODAY,
        claim__status="open",
        claim__stage__in=[Stage.AMICABLE, Stage.FORMAL_NOTICE],
    ).exclude(step__channel="call")
    assert not stale.exists(), list(stale.values_list("due_on", "step__kind")[:5])


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

    from claims.ledger.validators import normalize_enterprise_number

    rng = random.Random(3)
    for _ in range(200):
        value = make(rng)
        country = "BE" if "." in value else "FR"
        assert normalize_enterprise_number(value, country) == check(value)


def test_generated_ibans_and_vat_numbers_are_valid():
    import random

    from claims.ledger.validators import normalize_vat_number

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
    # Two password hashes (~1.5 s), bulk writes, the history, and the statement
    # of every open claim stored once: measured 2.8 s on PostgreSQL and 9.2 s
    # on SQLite (the embedded smoke run) on the 2-core machine.
    from django.db import connection

    assert elapsed < (10 if connection.vendor == "postgresql" else 20)


def test_a_bulk_book_is_consistent_too(db):
    """``--claims 100000`` (benchmarks) stays set-based, and consistent."""
    result = seed_demo(n_claims=1500, today=TODAY, seed=2, engine=False)
    assert not result.engine
    _assert_history_consistent()
    assert Claim.objects.filter(stage=Stage.FORMAL_NOTICE).exists()
    _assert_dashboard_figures_right()


def _assert_dashboard_figures_right() -> None:
    """The dashboard's stored figures (COPY included) are the claims' own."""
    from claims.ledger.selectors import dashboard_figures
    from claims.ledger.selectors import figures_compute

    for creditor_id in Creditor.objects.values_list("pk", flat=True):
        stored = dashboard_figures(creditor_id=creditor_id, today=TODAY)
        assert stored["outstanding_count"] > 0
        assert stored == figures_compute(creditor_id=creditor_id, today=TODAY)
