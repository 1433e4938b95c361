"""Uploaded evidence: PDF, PNG or JPEG only (checked on the bytes), 5 MB at most."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

# (magic prefix, extension, content type)
_MAGIC = (
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
)

CONTENT_TYPES = {ext: ctype for _m, ext, ctype in _MAGIC}


def sniff(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) from the first bytes, None when not allowed."""
    for magic, ext, ctype in _MAGIC:
        if head.startswith(magic):
            return ext, ctype
    return None


def validate_upload(upload: UploadedFile) -> UploadedFile:
    """Refuse oversize or non PDF/PNG/JPEG files whatever their name or declared
    type; rename the file to a random name with the sniffed extension."""
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Le fichier dépasse 5 Mo."), code="too_big")
    upload.seek(0)
    kind = sniff(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise ValidationError(
            _("Seuls les fichiers PDF, PNG ou JPEG sont acceptés."), code="type"
        )
    upload.name = f"{uuid.uuid4().hex}.{kind[0]}"
    upload.content_type = kind[1]
    return upload
