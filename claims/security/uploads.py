"""Checks on uploaded files: the type is read from the content, never the name.

    from claims.security.uploads import validate_upload
    kind = validate_upload(request.FILES["file"], allowed={"pdf"}, max_bytes=5_000_000)

Returns the detected kind ("pdf", "png", "jpeg", "xml", "csv") or raises a
``ValidationError`` with a French message. The file position is restored.
Store accepted files under MEDIA_ROOT (outside the web root, never served by
the web server directly) and serve them through a view with
:func:`safe_download_headers`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SNIFF_BYTES = 8192

MIME_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "xml": "application/xml",
    "csv": "text/csv",
}
LABELS = {"pdf": "PDF", "png": "PNG", "jpeg": "JPEG", "xml": "XML", "csv": "CSV"}


def sniff(head: bytes) -> str | None:
    """The kind of a file from its first bytes, or None when unknown."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    text = _as_text(head)
    if text is None:
        return None
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        return "xml"
    return "csv"


def _as_text(head: bytes) -> str | None:
    """Decode as UTF-8 (a cut last character tolerated) or CP1252; None if binary."""
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "cp1252"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and exc.start >= len(head) - 3:
                return head[: exc.start].decode("utf-8")
    return None


def _size(file: Any) -> int:
    size = getattr(file, "size", None)
    if size is not None:
        return int(size)
    position = file.tell()
    file.seek(0, 2)
    end = file.tell()
    file.seek(position)
    return end


def validate_upload(
    file: IO[bytes] | Any,
    *,
    allowed: Iterable[str] = ("pdf", "png", "jpeg", "xml", "csv"),
    max_bytes: int | None = None,
) -> str:
    """Check an uploaded file's size and its real type; return the detected kind."""
    allowed = set(allowed)
    limit = max_bytes if max_bytes is not None else settings.UPLOAD_MAX_BYTES
    size = _size(file)
    if size == 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    if size > limit:
        raise ValidationError(
            _("Le fichier est trop volumineux (%(size)s) : %(max)s au maximum.")
            % {"size": filesizeformat(size), "max": filesizeformat(limit)},
            code="too_large",
        )
    position = file.tell()
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(position)
    if isinstance(head, str):
        head = head.encode("utf-8")
    kind = sniff(head)
    if kind not in allowed:
        expected = ", ".join(LABELS[k] for k in sorted(allowed))
        raise ValidationError(
            _("Type de fichier refusé : le contenu n'est pas un fichier %(types)s.")
            % {"types": expected},
            code="bad_type",
        )
    return kind


def safe_download_headers(
    response: HttpResponseBase, *, kind: str, filename: str, inline: bool = False
) -> HttpResponseBase:
    """Headers for serving a stored file: exact type, no sniffing, no scripts."""
    from django.utils.http import content_disposition_header

    response["Content-Type"] = MIME_TYPES.get(kind, "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
