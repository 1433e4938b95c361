"""Stateless calculator: `manage.py interest_calc --country BE --debtor-kind ...`."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from claims.calculator import calculate
from claims.law.render import statement_as_dict
from claims.law.render import statement_as_text
from claims.law.types import PaymentFacts


def _payment(text: str) -> PaymentFacts:
    try:
        on, amount = text.split(":")
        return PaymentFacts(on=date.fromisoformat(on), amount=Decimal(amount))
    except (ValueError, InvalidOperation) as exc:
        raise CommandError(
            f"Paiement invalide « {text} » (AAAA-MM-JJ:montant)"
        ) from exc


class Command(BaseCommand):
    help = "Calcule intérêts de retard et indemnités sans base de données de créances."
    requires_system_checks: list[str] = []  # scripted output: no check noise

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--country", choices=["BE", "FR"], required=True)
        parser.add_argument(
            "--debtor-kind", choices=["business", "consumer"], required=True
        )
        parser.add_argument("--amount", type=Decimal, required=True)
        parser.add_argument("--due", type=date.fromisoformat, required=True)
        parser.add_argument("--at", type=date.fromisoformat, required=True)
        parser.add_argument("--payment", action="append", default=[], type=_payment)
        parser.add_argument("--contract-rate", type=Decimal, default=None)
        parser.add_argument("--reminder", type=date.fromisoformat, default=None)
        parser.add_argument(
            "--reminder-channel", choices=["email", "post"], default="email"
        )
        parser.add_argument("--formal-notice", type=date.fromisoformat, default=None)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **o: Any) -> None:
        s = calculate(
            country=o["country"],
            debtor_kind=o["debtor_kind"],
            amount=o["amount"],
            due=o["due"],
            at=o["at"],
            payments=tuple(o["payment"]),
            contract_rate=o["contract_rate"],
            reminder_on=o["reminder"],
            reminder_channel=o["reminder_channel"],
            formal_notice_on=o["formal_notice"],
        )
        if o["format"] == "json":
            self.stdout.write(
                json.dumps(statement_as_dict(s), ensure_ascii=False, indent=2)
            )
        else:
            self.stdout.write(statement_as_text(s))
