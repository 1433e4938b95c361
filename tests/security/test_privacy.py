"""Retention rule (pure), anonymisation of closed claims, GDPR access export."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from claims.models import AuditEntry
from claims.models import Debtor
from claims.models import DebtorContact
from claims.models import Payment
from claims.privacy import retention
from claims.privacy.services import debtors_anonymise_expired
from claims.privacy.services import debtors_due_for_anonymisation
from tests import factories as f

TABLE = retention.DEFAULT_YEARS_AFTER_CLOSE


def test_retention_is_ten_years_everywhere_by_default():
    # legal-brief §10: accounting/tax retention (10 y BE and FR) outlasts limitation.
    for country in ("BE", "FR"):
        for kind in ("business", "consumer"):
            assert (
                retention.retention_years(
                    country=country, debtor_kind=kind, table=TABLE
                )
                == 10
            )


def test_expiry_dates():
    closed = dt.date(2016, 3, 31)
    assert retention.anonymise_on(closed_on=closed, years=10) == dt.date(2026, 3, 31)
    assert not retention.is_expired(
        closed_on=closed, years=10, today=dt.date(2026, 3, 30)
    )
    assert retention.is_expired(closed_on=closed, years=10, today=dt.date(2026, 3, 31))
    leap = dt.date(2016, 2, 29)
    assert retention.anonymise_on(closed_on=leap, years=10) == dt.date(2026, 2, 28)


def _closed_claim(creditor, debtor, closed_on):
    claim = f.ClaimFactory(creditor=creditor, debtor=debtor)
    Payment.objects.create(
        creditor=creditor,
        claim=claim,
        date=closed_on,
        amount=Decimal("1210.00"),
        payer_iban="BE71096123456769",
        reference="Facture Dupont",
    )
    type(claim).objects.filter(pk=claim.pk).update(
        status="closed", closed_reason="paid", closed_on=closed_on
    )
    return claim


@pytest.fixture
def debtors(cast):
    creditor = cast.creditor
    old = f.ConsumerFactory(
        creditor=creditor,
        name="Jean Dupont",
        phone="+32470123456",
        iban="BE71096123456769",
        notes="Appeler le soir",
    )
    DebtorContact.objects.create(debtor=old, email="jean@dupont.test", name="Jean")
    _closed_claim(creditor, old, dt.date(2015, 6, 1))
    _closed_claim(creditor, old, dt.date(2016, 1, 10))
    recent = f.DebtorFactory(creditor=creditor, name="Récent SA")
    _closed_claim(creditor, recent, dt.date(2020, 1, 10))
    still_open = f.DebtorFactory(creditor=creditor, name="Ouvert SA")
    _closed_claim(creditor, still_open, dt.date(2012, 1, 10))
    f.ClaimFactory(creditor=creditor, debtor=still_open)
    return old, recent, still_open


def test_only_debtors_past_retention_without_open_claims_are_due(debtors):
    old = debtors[0]
    # The most recent closing (2016-01-10) counts, not the first one.
    assert debtors_due_for_anonymisation(today=dt.date(2026, 1, 9)) == []
    assert debtors_due_for_anonymisation(today=dt.date(2026, 1, 10)) == [old.pk]


def test_anonymisation_erases_identity_and_keeps_money(debtors):
    old, recent, still_open = debtors
    before = list(
        Payment.objects.filter(claim__debtor=old).values_list("amount", "date")
    )
    assert debtors_anonymise_expired(today=dt.date(2026, 6, 1)) == [old.pk]
    old.refresh_from_db()
    assert old.name == f"Débiteur anonymisé #{old.pk}"
    assert (old.email, old.phone, old.iban, old.notes, old.address_line1) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert old.anonymised_at is not None
    assert not DebtorContact.objects.filter(debtor=old).exists()
    payments = Payment.objects.filter(claim__debtor=old)
    assert list(payments.values_list("amount", "date")) == before
    assert set(payments.values_list("payer_iban", flat=True)) == {""}
    assert old.claims.filter(closed_on=dt.date(2016, 1, 10)).count() == 1
    # Untouched: the recent one and the one with an open claim.
    assert Debtor.objects.get(pk=recent.pk).name == "Récent SA"
    assert Debtor.objects.get(pk=still_open.pk).name == "Ouvert SA"
    entry = AuditEntry.objects.get(kind="anonymise")
    assert entry.detail["debtor_ids"] == [old.pk]


def test_it_is_idempotent_and_dry_run_changes_nothing(debtors, capsys):
    old = debtors[0]
    call_command("anonymise_closed", "--dry-run", "--at", "2026-06-01")
    assert "1 debtor(s) would be anonymised" in capsys.readouterr().out
    assert Debtor.objects.get(pk=old.pk).name == "Jean Dupont"
    call_command("anonymise_closed", "--at", "2026-06-01")
    assert "1 debtor(s) anonymised" in capsys.readouterr().out
    call_command("anonymise_closed", "--at", "2026-06-01")
    assert "0 debtor(s) anonymised" in capsys.readouterr().out
    assert AuditEntry.objects.filter(kind="anonymise").count() == 1


def test_the_beat_task_runs_the_rule(debtors):
    from claims.privacy.tasks import anonymise_closed_task

    # Today (real clock, 2026 or later) is past 2016-01-10 + 10 years.
    assert anonymise_closed_task() == 1


def test_export_debtor_data(debtors, tmp_path, cast):
    old = debtors[0]
    out = tmp_path / "export.json"
    call_command("export_debtor_data", str(old.code), "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["debtor"]["name"] == "Jean Dupont"
    assert data["debtor"]["iban"] == "BE71096123456769"
    assert [c["email"] for c in data["contacts"]] == ["jean@dupont.test"]
    assert len(data["claims"]) == 2
    assert len(data["invoices"]) == 2
    assert {p["amount"] for p in data["payments"]} == {"1210.00"}
    assert data["documents"] == []
    assert data["messages"] == []
    assert data["creditor"]["name"] == cast.creditor.legal_name
    assert AuditEntry.objects.filter(kind="data_export").count() == 1


def test_the_beat_schedule_runs_anonymisation_nightly(settings):
    from recouvrement.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["privacy-anonymise-closed"]
    assert entry["task"] == "claims.tasks_privacy.anonymise_closed_task"
    assert "claims.privacy.tasks" in settings.CELERY_IMPORTS
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
