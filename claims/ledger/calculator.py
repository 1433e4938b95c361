"""The stateless interest calculator shared by the command and the public page.

Nothing is assumed: a reminder or a formal notice counts only when its date is
given. Without one, a consumer owes no interest and no damages, and the
statement's warnings say why (art. XIX.2 CDE for Belgium; art. 1344-1 and
1231-6 C. civ. for France).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from claims.law.statement import ClaimFacts
from claims.law.statement import compute_statement
from claims.law.types import InvoiceFacts
from claims.law.types import PaymentFacts
from claims.law.types import Statement
from claims.ledger.statements import rate_table

CHANNELS = ("email", "post", "registered")
SUPPLIES = ("services", "goods")


def input_problems(
    *,
    due: date,
    at: date,
    reminder_on: date | None = None,
    formal_notice_on: date | None = None,
    delivery_on: date | None = None,
) -> list[tuple[str, str]]:
    """Inconsistent dates, as ``(field, message)`` pairs (empty when all is well).

    Field names are those of the calculator form; the command maps them to
    its flags.
    """
    problems: list[tuple[str, str]] = []
    if due > at:
        problems.append(("at", _("La date de calcul doit suivre l'échéance.")))
    if reminder_on is not None and reminder_on <= due:
        problems.append(
            ("reminder_on", _("Un rappel de paiement suit l'échéance de la facture."))
        )
    if formal_notice_on is not None and formal_notice_on <= due:
        problems.append(
            (
                "formal_notice_on",
                _("Une mise en demeure suit l'échéance de la facture."),
            )
        )
    if delivery_on is not None and delivery_on > at:
        problems.append(
            ("delivery_on", _("La livraison ne peut pas suivre la date de calcul."))
        )
    return problems


def calculate(
    *,
    country: str,
    debtor_kind: str,
    amount: Decimal,
    due: date,
    at: date,
    payments: tuple[PaymentFacts, ...] = (),
    contract_rate: Decimal | None = None,
    reminder_on: date | None = None,
    reminder_channel: str = "email",
    formal_notice_on: date | None = None,
    penalty_percent: Decimal | None = None,
    penalty_minimum: Decimal | None = None,
    delivery_on: date | None = None,
    supply: str = "services",
    is_sme: bool = False,
) -> Statement:
    """Statement of one invoice of ``amount`` (incl. VAT) due on ``due``, on ``at``.

    - ``contract_rate``: the interest clause (rate agreed in the terms), if any.
    - ``reminder_on`` / ``reminder_channel``: the first reminder, if one was
      sent (BE consumers: art. XIX.2 CDE, 14 days then interest and
      indemnity; the SME option needs an interest clause).
    - ``formal_notice_on``: the formal notice, if one was sent (FR consumers:
      legal interest from then, art. 1344-1 and 1231-6 C. civ.).
    - ``penalty_percent`` / ``penalty_minimum``: the penalty clause, if any.
    - ``delivery_on`` and ``supply`` ("goods" or "services"): the start and the
      length of prescription (BE: 1 year for goods sold to a consumer,
      art. 2272 C. civ.; FR consumers: 2 years from delivery, art. L218-2
      C. conso.).

    Raises ``claims.law.rates.RateUnavailable`` when a needed rate is older
    than the first row of its table.
    """
    facts = ClaimFacts(
        country=country,
        debtor_kind=debtor_kind,
        invoices=(
            InvoiceFacts(
                "1",
                due,
                due,
                amount.quantize(Decimal("0.01")),
                delivery_date=delivery_on,
            ),
        ),
        payments=tuple(sorted(payments, key=lambda p: p.on)),
        is_sme=is_sme,
        contract_rate=contract_rate,
        penalty_clause_percent=penalty_percent,
        penalty_clause_minimum=penalty_minimum,
        first_reminder_sent_on=reminder_on,
        first_reminder_channel=reminder_channel if reminder_on else "",
        formal_notice_sent_on=formal_notice_on,
        goods_sold_to_consumer=debtor_kind == "consumer" and supply == "goods",
    )
    return compute_statement(facts, rate_table(), at)
