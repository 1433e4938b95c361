"""python manage.py import_invoices FILE --creditor ID [--mapping JSON]."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser

from claims.money_in.formats import ParseError
from claims.money_in.formats import csvfile
from claims.money_in.invoices import ImportRefused
from claims.money_in.invoices import import_mapping_get
from claims.money_in.invoices import invoices_csv_import
from claims.money_in.invoices import invoices_csv_preview

from ._imports_common import creditor_get
from ._imports_common import read


class Command(BaseCommand):
    help = "Importe un CSV de débiteurs et factures (tout ou rien)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--creditor", type=int, required=True)
        parser.add_argument(
            "--mapping",
            help='JSON {"champ": "colonne"}; défaut : la correspondance mémorisée, sinon devinée',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        creditor = creditor_get(options["creditor"])
        data = read(options["file"])
        try:
            if options["mapping"]:
                mapping = json.loads(options["mapping"])
            else:
                mapping = import_mapping_get(
                    creditor=creditor
                ) or csvfile.guess_mapping(csvfile.read_table(data)[0])
            ids = invoices_csv_import(creditor=creditor, data=data, mapping=mapping)
        except (ParseError, json.JSONDecodeError) as exc:
            raise CommandError(f"Fichier refusé : {exc}") from None
        except ImportRefused:
            preview = invoices_csv_preview(
                creditor=creditor, data=data, mapping=mapping
            )
            for line, messages in sorted(preview.errors.items())[:50]:
                self.stderr.write(f"ligne {line} : {' ; '.join(messages)}")
            raise CommandError(
                f"{len(preview.errors)} ligne(s) en erreur : rien n'a été importé."
            ) from None
        self.stdout.write(f"{len(ids)} créance(s) importée(s).")
