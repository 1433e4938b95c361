"""The bailiff hand-off ZIP holds the cover, the proofs and machine-readable data."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command

from letters.services import bailiff_file_build
from letters.services import document_bytes
from letters.services import letter_issue
from tests import factories as f
from tests.letters.helpers import pdf_text

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 1)


def test_the_zip_carries_cover_documents_json_and_csv(tmp_path):
    claim = f.ClaimFactory(
        reference="C-77",
        structured_reference="+++123/4567/89002+++",
        invoices=[{"amount": Decimal("1210.00")}, {"amount": Decimal("300.00")}],
    )
    notice = letter_issue(claim=claim, kind="formal_notice", at=dt.date(2026, 3, 2))
    doc = bailiff_file_build(claim=claim, today=TODAY)
    zf = zipfile.ZipFile(io.BytesIO(document_bytes(document=doc)))
    names = zf.namelist()
    assert names[:2] == ["00-cover.pdf", "claim.json"]
    assert {"invoices.csv", "payments.csv", "manifest-sha256.txt"} <= set(names)
    archived = [n for n in names if n.startswith("documents/")]
    assert len(archived) == 1
    assert zf.read(archived[0]) == document_bytes(document=notice)
    facts = json.loads(zf.read("claim.json"))
    from claims.ledger.statements import claim_statement

    # The statement of account is the one source of amounts.
    due = claim_statement(claim=claim, at=TODAY).total_due
    assert due > Decimal("1510.00")  # principal + late interest + 2 × 40 € (B2B)
    assert facts["statement"]["total_due"] == f"{due:.2f}"
    assert facts["documents"][0]["sha256"] == notice.sha256
    assert facts["creditor"]["enterprise_number"] == "0403.170.701"
    rows = list(csv.DictReader(io.StringIO(zf.read("invoices.csv").decode())))
    assert [r["amount_incl_vat"] for r in rows] == ["1210.00", "300.00"]
    assert rows[0]["amount_excl_vat"] == "1000.00"
    cover = pdf_text(zf.read("00-cover.pdf"))
    assert "Transmission de notre créance sur" in cover
    assert "1 510,00 €" in cover
    assert archived[0] in cover
    assert doc.sha256 == hashlib.sha256(document_bytes(document=doc)).hexdigest()


def test_the_command_writes_the_archived_bytes(tmp_path):
    claim = f.ClaimFactory(reference="C-78")
    out = tmp_path / "file.zip"
    call_command("bailiff_file", "C-78", "--out", str(out))
    doc = claim.documents.get(kind="bailiff_file")
    assert hashlib.sha256(out.read_bytes()).hexdigest() == doc.sha256


def test_render_letter_command_writes_a_pdf(tmp_path):
    f.ClaimFactory(reference="C-79")
    out = tmp_path / "l.pdf"
    call_command(
        "render_letter",
        "C-79",
        "--kind",
        "reminder",
        "--lang",
        "en",
        "--at",
        "2026-03-02",
        "--out",
        str(out),
    )
    assert "Payment reminder" in pdf_text(out.read_bytes())
