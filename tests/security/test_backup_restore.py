"""Backups: pg_dump + media tar restore into a fresh database, everything intact.

Follows docs/operations.md step by step: `pg_dump -Fc`, a tar of MEDIA_ROOT,
`pg_restore` into a new database, then checks counts, amounts and every
document's SHA-256 against the restored files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tarfile
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from claims.models import Payment
from letters.models import Document
from tests import factories as f

RESTORE_DB = "rec_security_restore"


def _pg_env() -> tuple[dict[str, str], list[str], dict[str, str]]:
    s = connection.settings_dict
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    args = ["-h", s.get("HOST") or "127.0.0.1", "-p", str(s.get("PORT") or 5432)]
    if s.get("USER"):
        args += ["-U", s["USER"]]
    conninfo = {
        "host": s.get("HOST") or "127.0.0.1",
        "port": str(s.get("PORT") or 5432),
        "user": s.get("USER") or "",
        "password": s.get("PASSWORD") or "",
    }
    return env, args, conninfo


def _make_data(media: Path) -> dict[str, object]:
    creditor = f.CreditorFactory()
    claims = [
        f.ClaimFactory(creditor=creditor, invoices=[{"amount": Decimal(f"{i}00.10")}])
        for i in range(1, 6)
    ]
    for i, claim in enumerate(claims[:3], start=1):
        Payment.objects.create(
            creditor=creditor,
            claim=claim,
            date=claim.invoices.first().due_date,
            amount=Decimal(f"{i}0.05"),
        )
    hashes = {}
    for i, claim in enumerate(claims):
        body = b"%PDF-1.7\n" + f"Mise en demeure {claim.reference} \xe9".encode() * (
            i + 1
        )
        doc = Document.objects.create(
            creditor=creditor,
            claim=claim,
            debtor=claim.debtor,
            kind="reminder",
            title=f"Rappel {claim.reference}",
            file=ContentFile(body, name="r.pdf"),
            size=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
        )
        hashes[str(doc.code)] = doc.sha256
    return {
        "claims": {str(c.code): str(c.principal) for c in claims},
        "payments": sorted(str(p.amount) for p in Payment.objects.all()),
        "hashes": hashes,
    }


@pytest.mark.django_db(transaction=True)
def test_dump_and_restore_keep_every_claim_payment_and_document(tmp_path, settings):
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip(
            "pg_dump/pg_restore not installed (apt-get install postgresql-client)"
        )
    if connection.vendor != "postgresql":
        pytest.skip("backup procedure is for PostgreSQL")
    settings.MEDIA_ROOT = tmp_path / "media"
    expected = _make_data(settings.MEDIA_ROOT)
    call_command("verify_archive")  # exits 1 (SystemExit) on any problem

    env, args, conninfo = _pg_env()
    dump = tmp_path / "recouvrement.dump"
    subprocess.run(
        ["pg_dump", "-Fc", *args, "-f", str(dump), connection.settings_dict["NAME"]],
        env=env,
        check=True,
        timeout=120,
    )
    media_tar = tmp_path / "media.tar.gz"
    with tarfile.open(media_tar, "w:gz") as tar:
        tar.add(settings.MEDIA_ROOT, arcname="media")

    # Restore into a fresh database and a fresh folder.
    admin = psycopg.connect(dbname="postgres", autocommit=True, **conninfo)
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DB}"')
        admin.execute(f'CREATE DATABASE "{RESTORE_DB}"')
    try:
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                *args,
                "-d",
                RESTORE_DB,
                str(dump),
            ],
            env=env,
            check=True,
            timeout=120,
        )
        restored_media = tmp_path / "restored"
        with tarfile.open(media_tar) as tar:
            tar.extractall(restored_media, filter="data")
        _check_restored(conninfo, restored_media / "media", expected)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DB}"')


def _check_restored(conninfo: dict[str, str], media: Path, expected: dict) -> None:
    with psycopg.connect(dbname=RESTORE_DB, **conninfo) as db:
        claims = dict(
            db.execute("SELECT code::text, principal::text FROM claims_claim")
        )
        assert claims == expected["claims"]
        payments = sorted(
            r[0] for r in db.execute("SELECT amount::text FROM claims_payment")
        )
        assert payments == expected["payments"]
        rows = list(db.execute("SELECT code::text, file, sha256 FROM letters_document"))
    assert {code: sha for code, _, sha in rows} == expected["hashes"]
    for _code, name, sha in rows:
        assert hashlib.sha256((media / name).read_bytes()).hexdigest() == sha


@pytest.mark.django_db
def test_verify_archive_reports_altered_and_missing_files(tmp_path, settings, capsys):
    settings.MEDIA_ROOT = tmp_path
    _make_data(tmp_path)
    call_command("verify_archive")
    assert "5 document(s) checked, 0 problem(s)" in capsys.readouterr().out
    docs = list(Document.objects.order_by("pk"))
    Path(docs[0].file.path).write_bytes(b"%PDF-1.7 forged")
    Path(docs[1].file.path).unlink()
    with pytest.raises(SystemExit) as exc:
        call_command("verify_archive")
    assert exc.value.code == 1
    captured = capsys.readouterr()
    assert "5 document(s) checked, 2 problem(s)" in captured.out
    assert f"MISMATCH document #{docs[0].pk}" in captured.err
    assert f"MISSING document #{docs[1].pk}" in captured.err
