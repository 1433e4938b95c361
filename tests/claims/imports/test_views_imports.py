"""Import pages: permission matrix, bank upload, queue match in two clicks, CSV, UBL, exports."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from claims.models import BankLine
from claims.models import Claim
from claims.models import Payment
from tests import factories as f
from tests.claims.imports.test_services_bank import _camt
from tests.figures import statement_balance

PAGES = ["bank_import", "bank_queue", "csv_import", "ubl_import", "exports"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_login(client, db, name):
    response = client.get(reverse(f"claims:{name}"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_open_for_the_owner(client, cast, name):
    client.force_login(cast.owner)
    assert client.get(reverse(f"claims:{name}")).status_code == 200


def test_readonly_cannot_import(client, cast):
    client.force_login(cast.readonly)
    data = SimpleUploadedFile("s.xml", _camt([("1.00", "", "x", "")]))
    assert client.post(reverse("claims:bank_import"), {"file": data}).status_code == 403
    assert client.get(reverse("claims:csv_import")).status_code == 403
    assert client.get(reverse("claims:ubl_import")).status_code == 403
    assert not BankLine.objects.exists()


def test_bank_upload_then_two_click_match(client, cast):
    claim = f.ClaimFactory(creditor=cast.creditor)
    other = f.ClaimFactory(creditor=cast.creditor)
    client.force_login(cast.colleague)
    data = SimpleUploadedFile(
        "s.xml", _camt([("25.00", "", f"{claim.reference} {other.reference}", "")])
    )
    response = client.post(reverse("claims:bank_import"), {"file": data})
    assert "1 ligne(s) nouvelles" in response.content.decode()
    page = client.get(reverse("claims:bank_queue")).content.decode()
    assert claim.reference in page
    assert other.reference in page
    line = BankLine.objects.get()
    response = client.post(
        reverse("claims:bank_line_match", args=[line.idempotency_key]),
        {"claim": str(claim.code)},
    )
    assert response.status_code == 302
    assert Payment.objects.get().claim_id == claim.pk


def test_bank_upload_refuses_a_bad_file(client, cast):
    client.force_login(cast.owner)
    data = SimpleUploadedFile("s.cod", b"0" * 127 + b"2\n1")
    page = client.post(reverse("claims:bank_import"), {"file": data}).content.decode()
    assert "Fichier refusé" in page
    assert "ligne 2" in page


def test_outsider_cannot_match_a_line(client, cast):
    f.ClaimFactory(creditor=cast.creditor)
    client.force_login(cast.owner)
    client.post(
        reverse("claims:bank_import"),
        {"file": SimpleUploadedFile("s.xml", _camt([("5.00", "", "x", "")]))},
    )
    line = BankLine.objects.get()
    theirs = f.ClaimFactory(creditor=cast.other_creditor)
    client.force_login(cast.outsider)
    url = reverse("claims:bank_line_match", args=[line.idempotency_key])
    assert client.post(url, {"claim": str(theirs.code)}).status_code == 404
    assert not Payment.objects.exists()


def test_csv_upload_mapping_preview_import(client, cast, tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client.force_login(cast.owner)
    content = "Client;Facture;Date;Échéance;Montant\nDupont SA;F-1;01/02/2026;03/03/2026;12,10\n".encode()
    response = client.post(
        reverse("claims:csv_import"), {"file": SimpleUploadedFile("f.csv", content)}
    )
    assert response["Location"] == reverse("claims:csv_mapping")
    mapping = {
        "debtor_name": "Client",
        "invoice_number": "Facture",
        "issue_date": "Date",
        "due_date": "Échéance",
        "amount": "Montant",
    }
    page = client.post(
        reverse("claims:csv_mapping"), {**mapping, "action": "preview"}
    ).content.decode()
    assert "1 ligne prête" in page
    response = client.post(
        reverse("claims:csv_mapping"), {**mapping, "action": "import"}
    )
    assert response.status_code == 302
    claim = Claim.objects.get(creditor=cast.creditor)
    assert claim.principal == Decimal("12.10")
    assert claim.balance == statement_balance(claim)


def test_exports_csv_and_xlsx(client, cast):
    f.ClaimFactory(creditor=cast.creditor, reference="C-EXP")
    f.ClaimFactory(creditor=cast.other_creditor, reference="C-THEIRS")
    client.force_login(cast.readonly)
    body = client.get(reverse("claims:export_claims") + "?format=csv").content.decode(
        "utf-8-sig"
    )
    assert "C-EXP" in body
    assert "C-THEIRS" not in body
    xlsx = client.get(reverse("claims:export_aged_balance") + "?format=xlsx").content
    rows = list(load_workbook(io.BytesIO(xlsx)).active.values)
    assert rows[0][0] == "Débiteur"
    due = statement_balance(Claim.objects.get(reference="C-EXP"))
    assert Decimal(str(rows[1][-1])) == due > Decimal("1210.00")
