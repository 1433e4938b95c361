"""Imports run in the background: start a job, report its progress, run it.

A large file is stored, an ``ImportJob`` row records who asked for what, and
a Celery task runs the same import as the inline path (all-or-nothing, in
its own transaction). Progress is kept in the cache while the transaction
is open (its rows are invisible to the page until it commits); the job row
gets the final report: rows imported, or every refused row with its line
and reason in the language of the person who started the import.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from claims.models import Creditor
from claims.models import ImportJob
from claims.money_in.formats import ParseError
from claims.money_in.tasks import import_job_task

logger = logging.getLogger(__name__)

# Up to this many CSV rows (or bytes of bank statement) the import runs
# inside the request; above, in a Celery task with a progress page.
INLINE_ROWS = 2000
INLINE_BANK_BYTES = 256 * 1024
_PROGRESS_TTL = 24 * 3600
MAX_REPORTED_ERRORS = 1000


def _progress_key(job_id: int) -> str:
    return f"import-job:{job_id}"


def import_job_start(
    *,
    creditor: Creditor,
    kind: str,
    data: bytes,
    filename: str,
    rows_total: int = 0,
    mapping: dict[str, str] | None = None,
    actor: AbstractBaseUser | None = None,
) -> ImportJob:
    """Store the file, record the job and queue its task once committed."""
    stored = default_storage.save(
        f"imports/jobs/{creditor.pk}-{uuid.uuid4()}", ContentFile(data)
    )
    job = ImportJob.objects.create(
        creditor=creditor,
        kind=kind,
        filename=filename[:255],
        stored_name=stored,
        mapping=mapping or {},
        language=translation.get_language() or "fr",
        rows_total=rows_total,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    import_job_task.delay_on_commit(job.pk)
    return job


def import_job_progress(job: ImportJob) -> dict[str, Any]:
    """What the progress page shows: status, phase, rows done of total, percent."""
    state = {"phase": "", "done": job.rows_done}
    if not job.finished:
        state.update(cache.get(_progress_key(job.pk)) or {})
    total = state.get("total") or job.rows_total
    done = min(state["done"], total) if total else state["done"]
    percent = 100 if job.status == ImportJob.Status.DONE else 0
    if total and not job.finished:
        percent = int(100 * done / total)
    return {"phase": state["phase"], "done": done, "total": total, "percent": percent}


def _tell(job_id: int, phase: str, done: int, total: int = 0) -> None:
    state = {"phase": phase, "done": done, "total": total}
    cache.set(_progress_key(job_id), state, _PROGRESS_TTL)


def _finish(job: ImportJob, **fields: Any) -> None:
    """Write the report; inside the import's transaction it commits with it."""
    fields["finished_at"] = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(**fields)

    def clean() -> None:
        cache.delete(_progress_key(job.pk))
        if job.stored_name:
            default_storage.delete(job.stored_name)

    transaction.on_commit(clean)


def import_job_run(job_id: int) -> str:
    """Run a job, in one transaction holding its row: the claims or payments
    and the report commit together. A job another worker holds, or one
    already finished, is left alone; one whose worker died mid-way (rolled
    back, still pending) runs again when its task is delivered again."""
    try:
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("creditor", "created_by")
                .filter(pk=job_id, status=ImportJob.Status.PENDING)
                .first()
            )
            if job is None:
                return "skipped"
            with translation.override(job.language or "fr"):
                return _run(job)
    except Exception:
        logger.exception("import job %s failed", job_id)
        job = ImportJob.objects.get(pk=job_id)
        with translation.override(job.language or "fr"):
            _finish(
                job,
                status=ImportJob.Status.FAILED,
                message=_(
                    "L'import a échoué sur une erreur inattendue : rien n'a été "
                    "importé. Réessayez ou contactez le support."
                ),
            )
        raise


def _run(job: ImportJob) -> str:
    with default_storage.open(job.stored_name, "rb") as fh:
        data = fh.read()
    try:
        with transaction.atomic():
            if job.kind == ImportJob.Kind.BANK:
                return _run_bank(job, data)
            return _run_invoices(job, data)
    except ParseError as exc:
        _finish(
            job,
            status=ImportJob.Status.FAILED,
            message=_("Fichier refusé, rien n'a été importé : %(e)s") % {"e": exc},
        )
        return "refused"


def _run_invoices(job: ImportJob, data: bytes) -> str:
    from claims.money_in.invoices import claims_create_bulk
    from claims.money_in.invoices import import_mapping_save
    from claims.money_in.invoices import invoices_csv_preview

    _tell(job.pk, "check", 0)
    preview = invoices_csv_preview(
        creditor=job.creditor, data=data, mapping=job.mapping
    )
    rows_total = len(preview.rows) + len(preview.errors)
    if not preview.ok:
        errors = [
            [line, " ".join(messages)]
            for line, messages in sorted(preview.errors.items())
        ]
        _finish(
            job,
            status=ImportJob.Status.FAILED,
            rows_total=rows_total,
            errors=errors[:MAX_REPORTED_ERRORS],
            message=_(
                "%(n)s ligne(s) en erreur sur %(t)s : rien n'a été importé. "
                "Corrigez le fichier puis importez-le à nouveau."
            )
            % {"n": len(errors), "t": rows_total},
        )
        return "refused"
    ImportJob.objects.filter(pk=job.pk).update(rows_total=rows_total)
    job.rows_total = rows_total
    _tell(job.pk, "write", 0, rows_total)
    with transaction.atomic():
        import_mapping_save(creditor=job.creditor, mapping=job.mapping)
        ids = claims_create_bulk(
            creditor=job.creditor,
            rows=preview.rows,
            actor=job.created_by,
            source="csv",
            progress=lambda done: _tell(job.pk, "write", done, rows_total),
        )
    _finish(
        job,
        status=ImportJob.Status.DONE,
        rows_done=len(ids),
        rows_imported=len(ids),
        message=_("%(n)s créance(s) importée(s).") % {"n": len(ids)},
    )
    return "done"


def _run_bank(job: ImportJob, data: bytes) -> str:
    from claims.money_in.bank import bank_statement_import

    result = bank_statement_import(
        creditor=job.creditor,
        data=data,
        filename=job.filename,
        actor=job.created_by,
        progress=lambda phase, done, total: _tell(job.pk, phase, done, total),
    )
    _finish(
        job,
        status=ImportJob.Status.DONE,
        rows_total=result.total + result.duplicates + len(result.skipped),
        rows_done=result.total,
        rows_imported=result.matched,
        result={
            "total": result.total,
            "matched": result.matched,
            "queued": result.queued,
            "duplicates": result.duplicates,
            "skipped": [
                [
                    e.booking_date.isoformat(),
                    str(e.amount),
                    e.currency,
                    e.free_text[:60],
                    r,
                ]
                for e, r in result.skipped[:MAX_REPORTED_ERRORS]
            ],
        },
        message=_(
            "%(t)s ligne(s) nouvelle(s) : %(m)s rapprochée(s), %(q)s à traiter ; "
            "%(d)s déjà importée(s)."
        )
        % {
            "t": result.total,
            "m": result.matched,
            "q": result.queued,
            "d": result.duplicates,
        },
    )
    return "done"
