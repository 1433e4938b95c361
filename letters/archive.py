"""Integrity of the document archive: every stored file still matches its SHA-256."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from letters.models import Document

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ArchiveProblem:
    document_id: int
    code: str
    path: str
    problem: str  # "missing" or "mismatch"
    expected: str
    actual: str = ""


def file_sha256(document: Document) -> str:
    """SHA-256 of the stored file, read in chunks (documents may be large ZIPs)."""
    digest = hashlib.sha256()
    with document.file.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def archive_verify() -> Iterator[ArchiveProblem | int]:
    """Yield a problem for each document whose file is gone or altered.

    The last item yielded is the number of documents checked (an int).
    """
    checked = 0
    for document in Document.objects.order_by("pk").iterator(chunk_size=500):
        checked += 1
        try:
            actual = file_sha256(document)
        except (FileNotFoundError, ValueError):
            yield ArchiveProblem(
                document.pk,
                str(document.code),
                document.file.name,
                "missing",
                document.sha256,
            )
            continue
        if actual != document.sha256:
            yield ArchiveProblem(
                document.pk,
                str(document.code),
                document.file.name,
                "mismatch",
                document.sha256,
                actual,
            )
    yield checked
