"""Debtor personal data held by letters (plugged into claims.privacy.services).

Archived documents stay as they are (their SHA-256 is the proof); only the
recipient addresses stored beside them are erased at the end of retention,
with the e-mails as sent (``OutboundMessage.eml``: headers and body name the
debtor and their address).
"""

from __future__ import annotations

from typing import Any

from django.core import serializers
from django.core.files.storage import default_storage

from claims.models import Debtor
from letters.models import Document
from letters.models import OutboundMessage


def debtors_anonymise(*, debtor_ids: list[int]) -> None:
    """Blank recipient addresses of these debtors' documents and e-mails, and
    delete the e-mails kept as sent."""
    Document.objects.filter(debtor_id__in=debtor_ids).update(recipients=[])
    messages = OutboundMessage.objects.filter(debtor_id__in=debtor_ids)
    for name in messages.exclude(eml="").values_list("eml", flat=True):
        default_storage.delete(name)
    messages.update(to=[], cc=[], subject="", error="", eml="")


def _rows(queryset: Any) -> list[dict[str, Any]]:
    return [
        {"id": item["pk"], **item["fields"]}
        for item in serializers.serialize("python", queryset)
    ]


def debtor_export(*, debtor: Debtor) -> dict[str, Any]:
    """Documents (metadata and hash) and e-mails sent to this debtor."""
    return {
        "documents": _rows(Document.objects.filter(debtor=debtor).order_by("pk")),
        "messages": _rows(OutboundMessage.objects.filter(debtor=debtor).order_by("pk")),
    }
