"""The stateless interest calculator shared by the command and the public page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from claims.law.statement import ClaimFacts
from claims.law.statement import compute_statement
from claims.law.types import InvoiceFacts
from claims.law.types import PaymentFacts
from claims.law.types import Statement
from claims.statements import rate_table


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
) -> Statement:
    """Statement of one invoice of ``amount`` (incl. VAT) due on ``due``, on ``at``.

    For consumers the reminder (BE, art. XIX.2 CDE) or formal notice (FR,
    art. 1231-6 C. civ.) date decides when interest starts; without it the
    calculator assumes it was sent on the day after the due date, by e-mail.
    """
    assumed = due.fromordinal(due.toordinal() + 1)
    facts = ClaimFacts(
        country=country,
        debtor_kind=debtor_kind,
        invoices=(InvoiceFacts("1", due, due, amount.quantize(Decimal("0.01"))),),
        payments=tuple(sorted(payments, key=lambda p: p.on)),
        contract_rate=contract_rate,
        first_reminder_sent_on=reminder_on or assumed,
        first_reminder_channel=reminder_channel,
        formal_notice_sent_on=formal_notice_on or assumed,
    )
    return compute_statement(facts, rate_table(), at)
