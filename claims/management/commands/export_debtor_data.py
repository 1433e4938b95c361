"""Export everything held about one debtor as JSON (GDPR access request)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder


class Command(BaseCommand):
    help = "Write all data held about a debtor (by its code) to a JSON file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("debtor_code", help="the debtor's UUID code")
        parser.add_argument("--out", required=True, help="the JSON file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        from claims.models import Debtor
        from claims.privacy.services import debtor_data_export

        try:
            code = uuid.UUID(options["debtor_code"])
        except ValueError as exc:
            raise CommandError("DEBTOR_CODE must be a UUID") from exc
        debtor = Debtor.objects.select_related("creditor").filter(code=code).first()
        if debtor is None:
            raise CommandError(f"No debtor with code {code}")
        data = debtor_data_export(debtor=debtor)
        out = Path(options["out"])
        out.write_text(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
        self.stdout.write(f"Wrote {out} ({len(data['claims'])} claim(s))")
