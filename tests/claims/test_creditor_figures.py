"""The dashboard's stored figures (claims.models.figures) are always the fresh
aggregate: whatever writes the claims, payments, invoices, sends or hand-offs
— ledger services, stage changes, disputes, pauses, closing, bulk updates, a
debtor's new country, a failed or uncertain send, a credit note — the next read
equals :func:`claims.ledger.selectors.figures_compute` and the tables read
directly."""

from __future__ import annotations

import random
from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils import translation

from claims.engine.collection import claim_close
from claims.engine.collection import claim_resume
from claims.engine.collection import dispute_open
from claims.engine.collection import dispute_resolve
from claims.engine.collection import pause_until
from claims.ledger import selectors
from claims.ledger.services import claims_refresh_figures
from claims.ledger.services import payment_record
from claims.ledger.services import payment_reverse
from claims.models import Action
from claims.models import Claim
from claims.models import CreditorFigures
from claims.models import Debtor
from claims.models import Dispute
from claims.models import FiguresChange
from claims.models import Invoice
from claims.models import JudicialCase
from claims.models import Payment
from claims.templatetags.money import format_money
from tests import factories as f
from tests.claims.engine_fixtures import open_claim

pytestmark = pytest.mark.django_db


def _assert_exact(creditor_id: int, today: date) -> None:
    stored = selectors.dashboard_figures(creditor_id=creditor_id, today=today)
    fresh = selectors.figures_compute(creditor_id=creditor_id, today=today)
    assert stored == fresh
    assert {k: stored[k] for k in fresh if k in CLAIMS_KEYS} == (
        selectors.claims_figures_compute(creditor_id=creditor_id, today=today)
    )
    _assert_as_the_tables(stored, creditor_id, today)
    # …and read from the stored row once nothing changed (one query).
    with CaptureQueriesContext(connection) as queries:
        again = selectors.dashboard_figures(creditor_id=creditor_id, today=today)
    assert again == fresh
    assert len(queries) == 1


CLAIMS_KEYS = set(selectors._figures_aggregates(timezone.localdate()))


def _assert_as_the_tables(figures: dict, creditor_id: int, today: date) -> None:
    """The payments', invoices' and sends' figures, counted row by row."""
    payments = list(Payment.objects.filter(creditor_id=creditor_id))
    assert figures["paid_total"] == sum(
        (p.amount for p in payments if p.date <= today), Decimal("0.00")
    )
    assert figures["cash_0"] == sum(
        (p.amount for p in payments if today.replace(day=1) <= p.date <= today),
        Decimal("0.00"),
    )
    assert sum(figures[f"collected_{k}"] for k in selectors.RECOVERY_STAGES) == sum(
        (p.amount for p in payments), Decimal("0.00")
    )
    invoices = list(Invoice.objects.filter(creditor_id=creditor_id))
    assert figures["invoiced_total"] == sum(
        (
            -i.amount if i.kind == "credit_note" else i.amount
            for i in invoices
            if i.issue_date <= today
        ),
        Decimal("0.00"),
    )
    actions = Action.objects.filter(creditor_id=creditor_id)
    assert figures["failed"] == actions.filter(state="failed").count()
    assert figures["uncertain"] == actions.filter(state="uncertain").count()
    assert figures["entered_judicial"] == sum(
        (
            c.claim.principal
            for c in JudicialCase.objects.filter(
                claim__creditor_id=creditor_id, handed_off_on__isnull=False
            ).select_related("claim")
        ),
        Decimal("0.00"),
    )


def _open(creditor, debtors, rnd: random.Random, today: date, n: int) -> Claim:
    due = today - timedelta(days=rnd.choice([-5, 3, 20, 45, 75, 120, 400, 800]))
    amount = f"{rnd.randint(50, 3000)}.{rnd.randint(0, 99):02d}"
    return open_claim(creditor, rnd.choice(debtors), due=due, amount=amount, n=n)


def test_random_ledger_operations_keep_the_stored_figures_exact(cast, engine_seed):
    rnd = random.Random(20261129)
    creditor = cast.creditor
    today = timezone.localdate()
    debtors = [
        f.DebtorFactory(creditor=creditor),
        f.ConsumerFactory(creditor=creditor),
        f.DebtorFactory(creditor=creditor, country="FR"),
    ]
    claims = [_open(creditor, debtors, rnd, today, n) for n in range(6)]
    _assert_exact(creditor.pk, today)
    other = f.DebtorFactory(creditor=cast.other_creditor)
    open_claim(cast.other_creditor, other, due=today - timedelta(days=30))
    for n in range(80):
        claim = Claim.objects.get(pk=rnd.choice(claims).pk)
        op = rnd.choice(
            [
                "open",
                "pay",
                "pay",
                "reverse",
                "dispute",
                "resolve",
                "pause",
                "resume",
                "close",
                "bulk_stage",
                "debtor_country",
                "refresh",
                "send",
                "send",
                "credit_note",
                "hand_off",
                "payment_row",
            ]
        )
        if op == "open":
            claims.append(_open(creditor, debtors, rnd, today, 100 + n))
        elif op == "pay" and claim.status == "open" and claim.balance > 0:
            payment_record(
                claim=claim,
                amount=min(claim.balance, Decimal(rnd.randint(10, 500))),
                # earlier months too: cash by month, the step credited
                on=max(
                    today - timedelta(days=rnd.choice([0, 0, 4, 35, 70])),
                    min(i.issue_date for i in claim.invoices.all()),
                ),
                actor=cast.owner,
            )
        elif op == "reverse":
            payment = Payment.objects.filter(
                claim=claim,
                amount__gt=0,
                reverses__isnull=True,
                reversed_by__isnull=True,
            ).first()
            if payment is not None:
                payment_reverse(payment=payment, reason="erreur", actor=cast.owner)
        elif op == "dispute" and claim.status == "open" and claim.stage != "disputed":
            dispute_open(claim_id=claim.pk, reason="contestée", actor=cast.owner)
        elif op == "resolve":
            dispute = Dispute.objects.filter(claim=claim, status="open").first()
            if dispute is not None:
                dispute_resolve(
                    dispute_id=dispute.pk,
                    status="rejected",
                    answer="non",
                    actor=cast.owner,
                )
        elif (
            op == "pause"
            and claim.status == "open"
            and claim.stage
            not in (
                "disputed",
                "paused",
            )
        ):
            pause_until(
                claim_id=claim.pk,
                until=today + timedelta(days=10),
                actor=cast.owner,
                reason="promesse",
            )
        elif op == "resume" and claim.stage == "paused":
            claim_resume(claim_id=claim.pk, actor=cast.owner, reason="reprise")
        elif op == "close" and claim.status == "open":
            claim_close(
                claim_id=claim.pk, closed_reason="written_off", actor=cast.owner
            )
        elif op == "bulk_stage":  # a bulk path: one UPDATE, no service
            Claim.objects.filter(
                pk__in=[c.pk for c in claims[:3]], status="open"
            ).update(
                stage="formal_notice",
                first_reminder_sent_on=today,
                formal_notice_sent_on=today,
                next_action_on=None,
            )
        elif op == "debtor_country":  # prescription follows the debtor's country
            debtor = rnd.choice(debtors)
            Debtor.objects.filter(pk=debtor.pk).update(
                country="BE" if debtor.country == "FR" else "FR"
            )
            debtor.refresh_from_db()
        elif op == "refresh":
            claims_refresh_figures(claim_ids=[c.pk for c in claims])
        elif op == "send":  # a step sent, failed or left uncertain
            action = Action.objects.filter(claim=claim, state="planned").first()
            if action is not None:
                state = rnd.choice(["done", "failed", "uncertain"])
                Action.objects.filter(pk=action.pk).update(state=state)
                if state == "done" and claim.first_reminder_sent_on is None:
                    Claim.objects.filter(pk=claim.pk).update(
                        first_reminder_sent_on=today - timedelta(days=rnd.randint(0, 9))
                    )
            else:  # a failed send planned again
                Action.objects.filter(claim=claim, state="failed").update(
                    state="planned"
                )
        elif op == "payment_row":  # the row alone, as a bulk writer inserts it
            first = min(i.issue_date for i in claim.invoices.all())
            Payment.objects.bulk_create(
                [
                    Payment(
                        creditor_id=claim.creditor_id,
                        claim=claim,
                        date=max(first, today - timedelta(days=rnd.randint(0, 60))),
                        amount=Decimal(rnd.randint(1, 20)),
                    )
                ]
            )
        elif op == "credit_note":
            f.InvoiceFactory(
                claim=claim,
                kind="credit_note",
                amount=Decimal(rnd.randint(5, 50)),
                vat_amount=Decimal("0.00"),
                issue_date=today - timedelta(days=rnd.randint(0, 100)),
                due_date=today,
            )
        elif op == "hand_off" and not JudicialCase.objects.filter(claim=claim).exists():
            JudicialCase.objects.create(
                claim=claim,
                creditor=claim.creditor,
                route="be_summons_jp",
                handed_off_on=today - timedelta(days=rnd.randint(0, 5)),
            )
        _assert_exact(creditor.pk, today)
    # The other creditor's figures never moved with these changes.
    _assert_exact(cast.other_creditor.pk, today)


def test_time_dependent_figures_follow_the_day(cast, engine_seed):
    """Age buckets and "overdue" are of a day: another day recomputes them."""
    today = timezone.localdate()
    debtor = f.DebtorFactory(creditor=cast.creditor)
    open_claim(cast.creditor, debtor, due=today - timedelta(days=29))
    _assert_exact(cast.creditor.pk, today)
    later = today + timedelta(days=2)
    moved = selectors.dashboard_figures(creditor_id=cast.creditor.pk, today=later)
    assert moved["age_31_60_count"] == 1
    assert moved == selectors.figures_compute(creditor_id=cast.creditor.pk, today=later)


def test_a_change_outside_the_figures_lists_nothing(cast, engine_seed):
    today = timezone.localdate()
    claim = open_claim(
        cast.creditor, f.DebtorFactory(creditor=cast.creditor), due=today
    )
    selectors.dashboard_figures(creditor_id=cast.creditor.pk, today=today)
    assert not FiguresChange.objects.exists()
    Claim.objects.filter(pk=claim.pk).update(last_contact_on=today)
    assert not FiguresChange.objects.exists()
    Claim.objects.filter(pk=claim.pk).update(balance=Decimal("1.00"))
    assert set(FiguresChange.objects.values_list("creditor_id", flat=True)) == {
        cast.creditor.pk
    }


def test_the_dashboard_shows_a_payment_at_once(client, cast, engine_seed):
    """Record a payment through the service, reload: the new figures."""
    today = timezone.localdate()
    claim = open_claim(
        cast.creditor,
        f.DebtorFactory(creditor=cast.creditor),
        due=today - timedelta(days=40),
        amount="1000.00",
    )
    client.force_login(cast.owner)
    url = reverse("claims:dashboard")
    claim.refresh_from_db()
    before = claim.balance
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    with translation.override("fr"):
        assert format_money(before) in page
    assert CreditorFigures.objects.filter(pk=cast.creditor.pk).exists()
    payment_record(claim=claim, amount=Decimal("250.00"), on=today, actor=cast.owner)
    claim.refresh_from_db()
    assert claim.balance == before - Decimal("250.00")
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    with translation.override("fr"):
        assert format_money(claim.balance) in page
        assert format_money(before) not in page
    # The payments' figures too: this month's cash, the step credited.
    context = response.context
    assert context["collected_this_month"] == Decimal("250.00")
    assert context["cash"][-1]["total"] == Decimal("250.00")
    credited = {r["key"]: r["collected"] for r in context["recovery"]}
    assert sum(credited.values()) == Decimal("250.00")
    assert credited["before_reminder"] == Decimal("250.00")
    fresh = selectors.figures_compute(creditor_id=cast.creditor.pk, today=today)
    assert context["figures"] == fresh
    assert context["cei"] == selectors.collection_effectiveness(
        **selectors.cei_inputs(creditor_id=cast.creditor.pk, today=today, figures=fresh)
    )


def test_the_hourly_task_stores_the_figures_of_the_day(cast, engine_seed):
    from claims.engine.tasks import claims_refresh_figures_task

    today = timezone.localdate()
    open_claim(
        cast.creditor,
        f.DebtorFactory(creditor=cast.creditor),
        due=today - timedelta(days=5),
    )
    claims_refresh_figures_task()
    stored = dict(CreditorFigures.objects.values_list("creditor_id", "as_of"))
    assert stored == {cast.creditor.pk: today, cast.other_creditor.pk: today}
    assert not FiguresChange.objects.exists()
    _assert_exact(cast.creditor.pk, today)
    _assert_exact(cast.other_creditor.pk, today)  # no claims: zeros
    assert selectors.dashboard_figures(creditor_id=cast.other_creditor.pk, today=today)[
        "outstanding"
    ] == Decimal("0.00")


def test_a_row_of_an_earlier_set_of_figures_is_recomputed(cast, engine_seed):
    """A server of the previous release may store a row without the newer
    figures after the migration: the next read recomputes it."""
    today = timezone.localdate()
    open_claim(cast.creditor, f.DebtorFactory(creditor=cast.creditor), due=today)
    selectors.dashboard_figures(creditor_id=cast.creditor.pk, today=today)
    CreditorFigures.objects.filter(pk=cast.creditor.pk).update(
        figures={"money": {"outstanding": "1.00"}, "count": {}}
    )
    _assert_exact(cast.creditor.pk, today)
