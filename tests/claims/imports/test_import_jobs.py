"""Large imports run as a Celery task: progress polled by the page, then the report."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from celery import current_app
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import BankLine
from claims.models import Claim
from claims.models import Event
from claims.models import ImportJob
from claims.models import Invoice
from claims.models import Payment
from claims.money_in import invoices as services_imports
from claims.money_in import jobs as services_jobs
from claims.money_in.formats import csvfile
from claims.money_in.invoices import claims_create_bulk
from tests import factories as f
from tests.claims.imports.test_services_bank import _camt
from tests.figures import statement_balance

MAPPING = {
    "debtor_name": "Client",
    "invoice_number": "Facture",
    "issue_date": "Date",
    "due_date": "Échéance",
    "amount": "Montant",
}


def _csv(rows: int, *, bad_line: int | None = None) -> bytes:
    lines = ["Client;Facture;Date;Échéance;Montant"]
    for i in range(rows):
        amount = "douze" if i + 2 == bad_line else f"{10 + i},50"
        lines.append(f"Client {i % 3} SA;J-{i:04d};01/02/2026;03/03/2026;{amount}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def small_inline(monkeypatch):
    """Imports above 3 rows (or 100 bytes of statement) go to the task."""
    monkeypatch.setattr("claims.web.views.imports.INLINE_ROWS", 3)
    monkeypatch.setattr("claims.web.views.imports.INLINE_BANK_BYTES", 100)


@contextmanager
def _worker():
    """The task runs eagerly once the request's transaction commits."""
    current_app.conf.task_always_eager = True
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            yield
    finally:
        current_app.conf.task_always_eager = False


def _upload_csv(client, data: bytes) -> None:
    response = client.post(
        reverse("claims:csv_import"), {"file": SimpleUploadedFile("big.csv", data)}
    )
    assert response["Location"] == reverse("claims:csv_mapping")


def test_a_large_csv_imports_in_a_task_the_page_polls_its_progress(
    client, cast, storage, small_inline, monkeypatch
):
    monkeypatch.setattr(services_imports, "_CHUNK", 4)
    client.force_login(cast.owner)
    _upload_csv(client, _csv(10))
    polled: list[str] = []
    tell = services_jobs._tell

    def tell_and_poll(job_id, phase, done, total=0):
        tell(job_id, phase, done, total)
        # What the browser's next poll gets while the import runs.
        url = reverse("claims:import_job_status", args=[job_id])
        polled.append(client.get(url).content.decode())

    monkeypatch.setattr(services_jobs, "_tell", tell_and_poll)
    with _worker():
        response = client.post(
            reverse("claims:csv_mapping"), {**MAPPING, "action": "import"}
        )
        job = ImportJob.objects.get()
        assert response["Location"] == reverse("claims:import_job", args=[job.pk])
        waiting = client.get(response["Location"]).content.decode()
        assert not Claim.objects.filter(creditor=cast.creditor).exists()
    # Before the task: the page polls its own status block.
    status_url = reverse("claims:import_job_status", args=[job.pk])
    assert f'hx-get="{status_url}"' in waiting
    assert 'hx-trigger="every 1s"' in waiting
    assert "En attente de démarrage" in waiting
    # During: the bar moves batch by batch (4, 8, then 10 of 10 rows).
    values = [re.search(r'<progress[^>]*value="(\d+)"', p) for p in polled]
    assert [int(v.group(1)) for v in values if v] == [0, 0, 4, 8, 10]
    assert "Écriture des créances" in polled[-1]
    assert "10 ligne(s) sur 10 (100 %)" in polled[-1]
    assert all("hx-trigger" in p for p in polled)
    # After: the report, and the polling stops.
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.rows_total, job.rows_imported) == (10, 10)
    final = client.get(status_url).content.decode()
    assert "hx-trigger" not in final
    assert "10 créance(s) importée(s)." in final
    claims = Claim.objects.filter(creditor=cast.creditor)
    assert claims.count() == 10
    assert Invoice.objects.filter(claim__in=claims, source="csv").count() == 10
    assert Event.objects.filter(claim__in=claims, kind=Event.Kind.CREATED).count() == 10
    claim = claims.get(invoices__number="J-0003")
    assert str(claim.principal) == "13.50"
    assert claim.balance == statement_balance(claim)
    assert claim.figures_at is not None


def test_a_refused_row_imports_nothing_and_is_reported_in_dutch(
    client, cast, storage, small_inline
):
    client.cookies["django_language"] = "nl"
    client.force_login(cast.owner)
    data = _csv(6, bad_line=5)
    _upload_csv(client, data)
    # The file is checked in the task (the preview was not asked for).
    with _worker():
        response = client.post(
            reverse("claims:csv_mapping"), {**MAPPING, "action": "import"}
        )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.language == "nl"
    assert [line for line, _reason in job.errors] == [5]
    assert "douze" in job.errors[0][1]
    assert "niet herkend" in job.errors[0][1]
    page = client.get(response["Location"]).content.decode()
    assert "niets geïmporteerd" in page
    assert not Claim.objects.filter(creditor=cast.creditor).exists()
    assert not Invoice.objects.exists()


def test_importing_the_same_csv_twice_refuses_the_second(
    client, cast, storage, small_inline
):
    client.force_login(cast.owner)
    data = _csv(5)
    for _ in range(2):
        _upload_csv(client, data)
        with _worker():
            client.post(reverse("claims:csv_mapping"), {**MAPPING, "action": "import"})
    first, second = ImportJob.objects.order_by("pk")
    assert first.status == ImportJob.Status.DONE
    assert second.status == ImportJob.Status.FAILED
    assert "J-0000 a déjà été importée" in second.errors[0][1]
    assert Invoice.objects.filter(creditor=cast.creditor).count() == 5


def test_a_large_statement_is_booked_in_a_task_and_never_twice(
    client, cast, storage, small_inline
):
    claim = f.ClaimFactory(creditor=cast.creditor)
    client.force_login(cast.owner)
    camt = _camt([("25.00", "", claim.reference, ""), ("3.00", "", "inconnu", "")])
    for _ in range(2):
        with _worker():
            response = client.post(
                reverse("claims:bank_import"),
                {"file": SimpleUploadedFile("s.xml", camt)},
            )
        assert response.status_code == 302
    first, second = ImportJob.objects.order_by("pk")
    assert first.status == second.status == ImportJob.Status.DONE
    assert (first.result["matched"], first.result["queued"]) == (1, 1)
    assert (second.result["total"], second.result["duplicates"]) == (0, 2)
    assert Payment.objects.filter(claim=claim).count() == 1
    assert BankLine.objects.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "2 déjà importée(s)" in page


def test_a_file_that_is_not_camt_is_refused_before_any_task(
    client, cast, storage, small_inline
):
    client.force_login(cast.owner)
    data = b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><x/></Document>'
    page = client.post(
        reverse("claims:bank_import"), {"file": SimpleUploadedFile("s.xml", data)}
    ).content.decode()
    assert "Fichier refusé, rien n&#x27;a été importé" in page
    assert "CAMT.053" in page
    assert not ImportJob.objects.exists()


def test_an_import_of_another_creditor_is_not_found(client, cast):
    job = ImportJob.objects.create(creditor=cast.other_creditor, kind="invoices")
    client.force_login(cast.owner)
    for name in ("claims:import_job", "claims:import_job_status"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


def test_claims_are_written_in_a_constant_number_of_queries_per_batch(db, monkeypatch):
    """The statements per batch do not grow with its rows (COPY, set-based)."""
    monkeypatch.setattr(services_imports, "_CHUNK", 50)

    def queries(rows: int) -> int:
        creditor = f.CreditorFactory()
        parsed = csvfile.parse(_csv(rows), MAPPING)
        with CaptureQueriesContext(connection) as ctx:
            ids = claims_create_bulk(creditor=creditor, rows=parsed.rows)
        assert len(ids) == rows
        return len(ctx.captured_queries)

    queries(5)  # per-process look-ups made once (rate tables, settings)
    one_batch = queries(10)
    assert queries(50) == one_batch
    per_batch = queries(100) - one_batch
    assert per_batch > 0
    assert queries(150) == one_batch + 2 * per_batch


def test_the_month_long_sample_statement_goes_through_the_task(
    client, cast, storage, sample
):
    """The 480 KB sample (268 entries) is above the inline size: a task."""
    from claims.money_in.bank import parse_statement

    data = sample("camt053", "camt-to-coda_BE68793230773034-202411.xml")
    assert len(data) > services_jobs.INLINE_BANK_BYTES
    entries = parse_statement(data=data, filename="s.xml")[1]
    client.force_login(cast.owner)
    for _ in range(2):
        with _worker():
            response = client.post(
                reverse("claims:bank_import"),
                {"file": SimpleUploadedFile("nov.xml", data)},
            )
        assert response.status_code == 302
    first, second = ImportJob.objects.order_by("pk")
    assert first.status == second.status == ImportJob.Status.DONE
    done = first.result
    assert done["total"] + done["duplicates"] + len(done["skipped"]) == len(entries)
    assert len(done["skipped"]) == 264  # the debits, each with its reason
    assert {reason for *_row, reason in done["skipped"]} == {"Débit"}
    assert done["matched"] + done["queued"] == done["total"]
    assert second.result["total"] == 0
    assert BankLine.objects.filter(creditor=cast.creditor).count() == done["total"]
    page = client.get(reverse("claims:import_job", args=[first.pk])).content.decode()
    assert "264 mouvements ignorés" in page


def test_a_crash_mid_import_keeps_nothing_and_says_so(
    client, cast, storage, small_inline, monkeypatch
):
    monkeypatch.setattr(services_imports, "_CHUNK", 2)
    calls = []

    def crash_on_second_batch(*, claim_ids, today):
        calls.append(claim_ids)
        if len(calls) == 2:
            raise RuntimeError("database went away")

    monkeypatch.setattr(services_imports, "_after_open", crash_on_second_batch)
    client.force_login(cast.owner)
    _upload_csv(client, _csv(5))
    with _worker():
        client.post(reverse("claims:csv_mapping"), {**MAPPING, "action": "import"})
    job = ImportJob.objects.get()
    assert len(calls) == 2  # the first batch was written, then rolled back
    assert job.status == ImportJob.Status.FAILED
    assert "rien n'a été importé" in job.message
    assert not Claim.objects.filter(creditor=cast.creditor).exists()
    assert not Event.objects.filter(claim__creditor=cast.creditor).exists()
