"""Recompute every archived document's SHA-256; exit 1 on any mismatch."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Check that every archived document still matches its SHA-256."

    def handle(self, *args: Any, **options: Any) -> None:
        from letters.archive import archive_verify

        problems = 0
        checked = 0
        for item in archive_verify():
            if isinstance(item, int):
                checked = item
                continue
            problems += 1
            self.stderr.write(
                f"{item.problem.upper()} document #{item.document_id} ({item.code}) "
                f"{item.path}: expected {item.expected} got {item.actual or '-'}"
            )
        self.stdout.write(f"{checked} document(s) checked, {problems} problem(s)")
        if problems:
            sys.exit(1)
