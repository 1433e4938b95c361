"""Documents of a claim in the public API: list and byte-for-byte download.

Lives in ``letters`` (which owns the documents); ``recouvrement.api`` mounts
this router next to the claims ones, so ``claims`` never imports ``letters``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.http import HttpResponse
from django.urls import reverse
from ninja import Router

from claims.api import schemas as s
from claims.api.auth import creditor_id
from claims.api.problems import not_found
from claims.api.routes import ERRORS
from claims.models import AuditEntry
from claims.models import Claim
from claims.security.net import client_ip
from letters.models import Document
from letters.services import document_bytes

router = Router()


def _document_out(d: Document) -> dict[str, Any]:
    return {
        "id": d.code,
        "kind": d.kind,
        "title": d.title,
        "mime_type": d.mime_type,
        "size": d.size,
        "sha256": d.sha256,
        "channel": d.channel,
        "rendered_at": d.rendered_at,
        "sent_at": d.sent_at,
        "download_url": reverse("api-v1:document_download", kwargs={"code": d.code}),
    }


@router.get(
    "/claims/{code}/documents",
    response={200: s.DocumentList, **ERRORS},
    tags=["documents"],
)
def document_list(request: HttpRequest, code: UUID) -> Any:
    cid = creditor_id(request)
    claim = Claim.objects.filter(creditor_id=cid, code=code).only("pk").first()
    if claim is None:
        raise not_found()
    rows = Document.objects.filter(creditor_id=cid, claim=claim).order_by(
        "-rendered_at", "-pk"
    )
    return {"items": [_document_out(d) for d in rows]}


@router.get(
    "/documents/{code}",
    response={200: Any, **ERRORS},
    url_name="document_download",
    tags=["documents"],
    openapi_extra={
        "responses": {
            200: {
                "description": "The stored file, byte for byte",
                "content": {"application/pdf": {}, "application/zip": {}},
            }
        }
    },
)
def document_download(request: HttpRequest, code: UUID) -> HttpResponse:
    cid = creditor_id(request)
    doc = Document.objects.filter(creditor_id=cid, code=code).first()
    if doc is None:
        raise not_found()
    content = document_bytes(document=doc)
    token = request.auth  # type: ignore[attr-defined]
    AuditEntry.objects.create(
        user=token.created_by,
        username=f"api:{token.name}"[:150],
        creditor_id=cid,
        kind=AuditEntry.Kind.DOCUMENT_DOWNLOAD,
        ip=client_ip(request),
        detail={"document": str(doc.code), "token": token.name},
    )
    response = HttpResponse(content, content_type=doc.mime_type)
    ext = "zip" if doc.mime_type == "application/zip" else "pdf"
    response["Content-Disposition"] = f'attachment; filename="{doc.code}.{ext}"'
    response["Digest"] = f"sha-256={doc.sha256}"
    return response
