"""python manage.py import_ubl FILE [FILE…] --creditor ID (UBL / Peppol)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser

from claims.money_in.invoices import ImportRefused
from claims.money_in.invoices import ubl_import

from ._imports_common import creditor_get
from ._imports_common import read


class Command(BaseCommand):
    help = "Importe des factures et notes de crédit UBL / Peppol (tout ou rien)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+")
        parser.add_argument("--creditor", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        creditor = creditor_get(options["creditor"])
        files = [(Path(p).name, read(p)) for p in options["files"]]
        try:
            claims = ubl_import(creditor=creditor, files=files)
        except ImportRefused as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError("Rien n'a été importé.") from None
        self.stdout.write(
            f"{len(files)} document(s) importé(s) sur {len({c.pk for c in claims})} créance(s)."
        )
