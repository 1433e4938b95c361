"""The import commands: output, refusal, nothing written on error."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError
from django.core.management import call_command

from claims.models import BankLine
from claims.models import Claim
from tests import factories as f
from tests.claims.imports.conftest import SAMPLES


def test_import_bank_twice(db):
    creditor = f.CreditorFactory()
    path = str(SAMPLES / "coda" / "php-coda-parser_sample1.cod")
    out = StringIO()
    call_command("import_bank", path, creditor=creditor.pk, stdout=out)
    assert "4 ligne(s) nouvelles : 0 rapprochée(s), 4 en attente" in out.getvalue()
    out = StringIO()
    call_command("import_bank", path, creditor=creditor.pk, stdout=out)
    assert "0 ligne(s) nouvelles" in out.getvalue()
    assert "4 déjà importée(s)" in out.getvalue()
    assert BankLine.objects.count() == 4


def test_import_bank_refuses_bad_totals(db):
    creditor = f.CreditorFactory()
    path = str(SAMPLES / "coda" / "php-coda-parser_sample6.cod")
    with pytest.raises(CommandError, match="ligne 17"):
        call_command("import_bank", path, creditor=creditor.pk)
    assert not BankLine.objects.exists()


def test_import_invoices_with_mapping(db, tmp_path):
    creditor = f.CreditorFactory()
    csv = tmp_path / "f.csv"
    csv.write_text(
        "client,facture,date,echeance,montant\nDupont,F9,2026-01-01,2026-01-31,10.50\n"
    )
    out = StringIO()
    call_command(
        "import_invoices",
        str(csv),
        creditor=creditor.pk,
        mapping='{"debtor_name":"client","invoice_number":"facture","issue_date":"date","due_date":"echeance","amount":"montant"}',
        stdout=out,
    )
    assert "1 créance(s) importée(s)" in out.getvalue()
    csv.write_text(
        "client,facture,date,echeance,montant\nDupont,F10,2026-01-01,31/02/2026,10.50\n"
    )
    err = StringIO()
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_invoices", str(csv), creditor=creditor.pk, stderr=err)
    assert "ligne 2" in err.getvalue()
    assert Claim.objects.count() == 1


def test_import_ubl(db):
    creditor = f.CreditorFactory()
    out = StringIO()
    call_command(
        "import_ubl",
        str(SAMPLES / "ubl" / "odoo_bis3_out_invoice.xml"),
        creditor=creditor.pk,
        stdout=out,
    )
    assert "1 document(s) importé(s)" in out.getvalue()
