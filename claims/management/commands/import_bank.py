"""python manage.py import_bank FILE --creditor ID (CAMT.053 or CODA)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser

from claims.money_in.bank import bank_statement_import
from claims.money_in.formats import ParseError

from ._imports_common import creditor_get
from ._imports_common import read


class Command(BaseCommand):
    help = "Importe un relevé bancaire CAMT.053 ou CODA et rapproche les paiements."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--creditor", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        creditor = creditor_get(options["creditor"])
        try:
            result = bank_statement_import(
                creditor=creditor,
                data=read(options["file"]),
                filename=Path(options["file"]).name,
            )
        except ParseError as exc:
            raise CommandError(
                f"Fichier refusé, rien n'a été importé — {exc}"
            ) from None
        self.stdout.write(
            f"{result.total} ligne(s) nouvelles : {result.matched} rapprochée(s), "
            f"{result.queued} en attente, {result.duplicates} déjà importée(s), "
            f"{len(result.skipped)} ignorée(s)."
        )
