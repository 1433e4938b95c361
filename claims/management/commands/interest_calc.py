"""Stateless calculator: `manage.py interest_calc --country BE --debtor-kind ...`.

Nothing is assumed: a reminder or a formal notice counts only when its date
is given (see ``claims.ledger.calculator.calculate``).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from claims.law.rates import RateUnavailable
from claims.law.render import statement_as_dict
from claims.law.render import statement_as_text
from claims.law.types import PaymentFacts
from claims.ledger.calculator import CHANNELS
from claims.ledger.calculator import SUPPLIES
from claims.ledger.calculator import calculate
from claims.ledger.calculator import input_problems

# Form field → flag, for the messages of ``input_problems``.
_FLAGS = {
    "at": "--at",
    "reminder_on": "--reminder",
    "formal_notice_on": "--formal-notice",
    "delivery_on": "--delivery",
}


def _payment(text: str) -> PaymentFacts:
    try:
        on, amount = text.split(":")
        return PaymentFacts(on=date.fromisoformat(on), amount=Decimal(amount))
    except (ValueError, InvalidOperation) as exc:
        raise CommandError(
            f"Paiement invalide « {text} » (AAAA-MM-JJ:montant)"
        ) from exc


class Command(BaseCommand):
    help = (
        "Calcule intérêts de retard et indemnités d'une facture, sans base de données "
        "de créances. Rien n'est supposé : sans --reminder (Belgique) ni "
        "--formal-notice (France), un consommateur ne doit ni intérêts ni indemnité."
    )
    requires_system_checks: list[str] = []  # scripted output: no check noise

    def add_arguments(self, parser: Any) -> None:
        day = date.fromisoformat
        parser.add_argument(
            "--country", choices=["BE", "FR"], required=True,
            help="Droit applicable : celui du pays du créancier.",
        )  # fmt: skip
        parser.add_argument(
            "--debtor-kind", choices=["business", "consumer"], required=True,
            help="business = entreprise (B2B), consumer = consommateur (B2C).",
        )  # fmt: skip
        parser.add_argument(
            "--amount", type=Decimal, required=True,
            help="Montant de la facture TVA comprise (CJUE C-585/20).",
        )  # fmt: skip
        parser.add_argument(
            "--due", type=day, required=True, help="Échéance (AAAA-MM-JJ)."
        )
        parser.add_argument(
            "--at", type=day, required=True, help="Date du calcul (AAAA-MM-JJ)."
        )
        parser.add_argument(
            "--payment", action="append", default=[], type=_payment,
            help="Paiement partiel AAAA-MM-JJ:montant (répétable).",
        )  # fmt: skip
        parser.add_argument(
            "--interest-clause", "--contract-rate", dest="contract_rate",
            type=Decimal, default=None,
            help="Clause d'intérêts : taux convenu en %%/an. Sans clause : taux légal "
            "du pays (BE B2B : loi du 2 août 2002 ; FR B2B : BCE + 10 points).",
        )  # fmt: skip
        parser.add_argument(
            "--penalty-percent", type=Decimal, default=None,
            help="Clause pénale : pourcentage du solde (BE consommateur : plafonné, "
            "art. XIX.4 CDE).",
        )  # fmt: skip
        parser.add_argument(
            "--penalty-minimum", type=Decimal, default=None,
            help="Clause pénale : montant minimum en euros.",
        )  # fmt: skip
        parser.add_argument(
            "--reminder", type=day, default=None,
            help="Date du premier rappel (AAAA-MM-JJ). Sans elle, un consommateur "
            "belge ne doit ni intérêts ni indemnité (art. XIX.2 CDE).",
        )  # fmt: skip
        parser.add_argument(
            "--reminder-channel", choices=CHANNELS, default="email",
            help="Canal du premier rappel : le délai de 14 jours commence le lendemain "
            "d'un e-mail, le 3e jour ouvrable après un courrier (art. XIX.2 CDE).",
        )  # fmt: skip
        parser.add_argument(
            "--formal-notice", type=day, default=None,
            help="Date de la mise en demeure (AAAA-MM-JJ). Sans elle, un consommateur "
            "français ne doit pas d'intérêts (art. 1344-1 et 1231-6 C. civ.).",
        )  # fmt: skip
        parser.add_argument(
            "--delivery", type=day, default=None,
            help="Date de livraison ou de fin des travaux : point de départ de la "
            "prescription pour un consommateur (défaut : l'échéance).",
        )  # fmt: skip
        parser.add_argument(
            "--supply", choices=SUPPLIES, default="services",
            help="goods = vente de biens (BE consommateur : prescription d'un an, "
            "art. 2272 C. civ.), services = prestation de services.",
        )  # fmt: skip
        parser.add_argument(
            "--sme", action="store_true",
            help="Le créancier est une PME (BE consommateur : intérêts dès le lendemain "
            "du rappel, seulement avec une clause d'intérêts).",
        )  # fmt: skip
        parser.add_argument(
            "--format", choices=["text", "json"], default="text",
            help="text (décompte lisible) ou json.",
        )  # fmt: skip

    def handle(self, *args: Any, **o: Any) -> None:
        problems = input_problems(
            due=o["due"],
            at=o["at"],
            reminder_on=o["reminder"],
            formal_notice_on=o["formal_notice"],
            delivery_on=o["delivery"],
        )
        if problems:
            raise CommandError(
                " ".join(f"{_FLAGS.get(f, f)} : {m}" for f, m in problems)
            )
        try:
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
                penalty_percent=o["penalty_percent"],
                penalty_minimum=o["penalty_minimum"],
                delivery_on=o["delivery"],
                supply=o["supply"],
                is_sme=o["sme"],
            )
        except RateUnavailable as exc:
            raise CommandError(exc.message) from exc
        if o["format"] == "json":
            self.stdout.write(
                json.dumps(statement_as_dict(s), ensure_ascii=False, indent=2)
            )
        else:
            self.stdout.write(statement_as_text(s))
