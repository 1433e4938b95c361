"""Complete rate tables and "date before the first row" as a clear error everywhere.

Issue 13 item 7 and "Old invoices crash everything": the tables start on
1 Jan 2015 for every series (legal-brief §1.3, §6.5, §12); an invoice older
than that is a validation message on the forms, a refused row on the
imports, a message on the claim page and a CommandError — never a 500.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from claims.law.seed import seed_rates_update
from claims.law.seed import seed_values
from claims.ledger.statements import claim_statement
from claims.ledger.statements import rates_changed
from claims.models import Claim
from claims.models import Rate
from claims.money_in.invoices import invoices_csv_preview
from claims.money_in.invoices import ubl_import
from claims.money_in.invoices import ubl_preview
from tests import factories as f

D = Decimal
# The published samples live in the shared folder next to the repository
# (the closest ``shared/samples`` above this file, worktree or main clone).
SAMPLES = next(
    p / "shared" / "samples"
    for p in Path(__file__).resolve().parents
    if (p / "shared" / "samples").is_dir()
)
pytestmark = pytest.mark.django_db
OLD = {"issue_date": dt.date(2012, 1, 5), "due_date": dt.date(2012, 2, 4)}


@pytest.fixture(autouse=True)
def _fresh_rates():
    rates_changed()
    yield
    rates_changed()


def test_the_migration_completes_an_old_database_and_is_idempotent() -> None:
    """An upgraded database gets every row, with its own source (update_or_create)."""
    Rate.objects.filter(valid_from__lt=dt.date(2023, 1, 1)).delete()
    Rate.objects.filter(kind="ecb_mro", valid_from=dt.date(2024, 6, 12)).update(
        source="one source for the whole series"
    )
    seed_rates_update(django_apps, None)
    seed_rates_update(django_apps, None)
    assert Rate.objects.count() == len(seed_values())
    assert Rate.objects.filter(valid_from__lt=dt.date(2015, 1, 1)).count() == 1  # ECB
    assert (
        "6 Jun 2024"
        in Rate.objects.get(kind="ecb_mro", valid_from=dt.date(2024, 6, 12)).source
    )
    # rows the operator added for a later period are kept
    f.RateFactory()
    seed_rates_update(django_apps, None)
    assert Rate.objects.filter(valid_from=dt.date(2026, 7, 1)).exists()


def test_claim_form_refuses_an_invoice_older_than_the_tables(client, cast) -> None:
    debtor = f.DebtorFactory(creditor=cast.creditor)
    client.force_login(cast.owner)
    data = {
        "debtor": debtor.pk,
        "inv-TOTAL_FORMS": "1",
        "inv-INITIAL_FORMS": "0",
        "inv-MIN_NUM_FORMS": "1",
        "inv-MAX_NUM_FORMS": "1000",
        "inv-0-number": "F-OLD",
        "inv-0-issue_date": "2012-01-05",
        "inv-0-due_date": "2012-02-04",
        "inv-0-amount": "100",
    }
    response = client.post(reverse("claims:claim_create"), data)
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors["due_date"]
    assert "01/01/2015" in errors[0]
    assert not Claim.objects.filter(debtor=debtor).exists()
    # A 2016 invoice is now computable: the claim opens.
    data.update({"inv-0-issue_date": "2016-01-05", "inv-0-due_date": "2016-02-04"})
    assert client.post(reverse("claims:claim_create"), data).status_code == 302


def test_claim_page_of_an_old_claim_shows_the_reason_not_a_500(client, cast) -> None:
    claim = f.ClaimFactory(creditor=cast.creditor, invoices=[OLD])
    client.force_login(cast.owner)
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    assert "01/01/2015" in response.context["rate_error"]
    assert 'data-testid="rate-error"' in response.content.decode()


def test_claim_page_of_a_2016_claim_computes_and_says_it_is_time_barred(
    client, cast
) -> None:
    """Law 2 Aug 2002: 8.5 % then 8 %; 10 years (art. 2262bis C. civ.) are over."""
    claim = f.ClaimFactory(
        creditor=cast.creditor,
        invoices=[
            {"issue_date": dt.date(2016, 4, 1), "due_date": dt.date(2016, 5, 31)}
        ],
    )
    client.force_login(cast.owner)
    with time_machine.travel("2026-11-28 10:00 +0100"):
        response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    statement = response.context["statement"]
    assert statement.interest_periods[0].rate == D("8.5")
    assert statement.time_barred
    assert 'data-testid="time-barred"' in response.content.decode()


def test_statement_command_of_an_old_claim_is_a_command_error() -> None:
    claim = f.ClaimFactory(invoices=[OLD])
    with pytest.raises(CommandError, match="01/01/2015"):
        call_command("statement", claim.reference, "--at", "2016-01-01")


def test_csv_import_refuses_the_old_row_with_its_reason() -> None:
    creditor = f.CreditorFactory()
    data = (
        "Client;Facture;Date facture;Échéance;Montant TTC\n"
        "Ancien SRL;F-1;05/01/2012;04/02/2012;100\n"
        "Récent SRL;F-2;05/01/2017;04/02/2017;100\n"
    ).encode()
    mapping = {
        "debtor_name": "Client",
        "invoice_number": "Facture",
        "issue_date": "Date facture",
        "due_date": "Échéance",
        "amount": "Montant TTC",
    }
    preview = invoices_csv_preview(creditor=creditor, data=data, mapping=mapping)
    assert list(preview.errors) == [2]
    assert "01/01/2015" in preview.errors[2][0]


def test_the_peppol_sample_due_2017_now_computes() -> None:
    """The official Peppol BIS 3 base example falls due on 1 Dec 2017: with the
    tables from 2015 it is imported and its statement has interest."""
    creditor = f.CreditorFactory()
    files = [
        (
            "base.xml",
            (SAMPLES / "ubl" / "peppol-bis-invoice-3_base-example.xml").read_bytes(),
        )
    ]
    assert ubl_preview(creditor=creditor, files=files)[0].errors == []
    [claim] = ubl_import(creditor=creditor, files=files)
    s = claim_statement(claim=claim, at=dt.date(2018, 3, 1))
    # BE B2B, H2 2017 then H1 2018 at 8 % (law 2 Aug 2002 art. 5)
    assert [p.rate for p in s.interest_periods] == [D("8.0"), D("8.0")]
    assert s.interest > 0


def test_the_peppol_sample_is_refused_when_its_rates_are_missing() -> None:
    """Not accepted silently: without the rows it needs, the file is refused."""
    Rate.objects.filter(valid_from__lt=dt.date(2020, 1, 1)).delete()
    rates_changed()
    creditor = f.CreditorFactory()
    files = [
        (
            "base.xml",
            (SAMPLES / "ubl" / "peppol-bis-invoice-3_base-example.xml").read_bytes(),
        )
    ]
    [item] = ubl_preview(creditor=creditor, files=files)
    assert any("Date trop ancienne" in e for e in item.errors)


def test_the_rate_not_published_notice_is_for_staff_only(client, cast) -> None:
    """H2 2026 is not in the tables: the operator is told, not the shop owner."""
    notice = "pas encore publié"
    client.force_login(cast.owner)
    with time_machine.travel("2026-11-28 10:00 +0100"):
        owner_page = client.get(reverse("claims:dashboard")).content.decode()
        cast.owner.is_staff = True
        cast.owner.save()
        staff_page = client.get(reverse("claims:dashboard")).content.decode()
    assert notice not in owner_page
    assert notice in staff_page


def test_the_admin_rate_list_tells_the_operator_what_is_missing(client) -> None:
    operator = f.UserFactory(username="operator", is_staff=True, is_superuser=True)
    client.force_login(operator)
    url = reverse("admin:claims_rate_changelist")
    with time_machine.travel("2026-11-28 10:00 +0100"):
        page = client.get(url).content.decode()
    assert "be_commercial S2 2026" in page
    with time_machine.travel("2026-03-01 10:00 +0100"):
        assert "Taux non publiés" not in client.get(url).content.decode()


@pytest.mark.parametrize(
    "command",
    [
        ["render_letter", "--kind", "formal_notice"],
        ["bailiff_file"],
    ],
)
def test_letter_commands_on_an_old_claim_are_command_errors(command, tmp_path) -> None:
    claim = f.ClaimFactory(invoices=[OLD])
    name, *opts = command
    with pytest.raises(CommandError, match="01/01/2015"):
        call_command(name, claim.reference, *opts, "--out", str(tmp_path / "x"))
