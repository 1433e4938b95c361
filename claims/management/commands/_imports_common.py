"""Shared bits of the import commands."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from claims.models import Creditor


def creditor_get(creditor_id: int) -> Creditor:
    try:
        return Creditor.objects.get(pk=creditor_id)
    except Creditor.DoesNotExist:
        raise CommandError(f"Créancier {creditor_id} inconnu.") from None


def read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"Lecture impossible de {path} : {exc}") from None
