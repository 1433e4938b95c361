"""What a letter says: the context handed to the templates (pure, no I/O).

Amounts come only from the claim's :class:`claims.law.types.Statement`.
Legal mentions follow the legal brief, §11 checklists (a) and (b).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any

from claims.law.calendar import message_deadline
from claims.law.types import Statement
from claims.statements import amount_to_pay
from letters.overrides import override_fill
from letters.payment import epc_qr_png_data_uri
from letters.payment import payment_reference
from letters.payment import payment_request_payload

CENT = Decimal("0.01")

# Step kinds a letter can be rendered for, and the template that renders them.
PDF_TEMPLATES = {
    "pre_due": "letters/pdf/reminder.html",
    "first_reminder": "letters/pdf/reminder.html",
    "reminder": "letters/pdf/reminder.html",
    "formal_notice": "letters/pdf/formal_notice.html",
    "bailiff_cover": "letters/pdf/bailiff_cover.html",
}


@dataclass(frozen=True)
class Parties:
    """The facts about creditor and debtor a letter needs (plain values)."""

    creditor_name: str
    creditor_legal_form: str
    creditor_address: tuple[str, ...]
    creditor_country: str
    creditor_enterprise_number: str
    creditor_vat: str
    creditor_email: str
    creditor_phone: str
    creditor_iban: str
    creditor_bic: str
    creditor_city: str
    debtor_name: str
    debtor_address: tuple[str, ...]
    debtor_country: str
    debtor_kind: str  # "business" | "consumer"
    debtor_enterprise_number: str
    claim_reference: str
    payment_reference: str  # OGM (BE) or RF/claim reference (FR)


def be_consumer_indemnity_cap(balance: Decimal) -> Decimal:
    """Maximum lump-sum indemnity for a Belgian consumer (CDE art. XIX.4).

    Legal brief §2.4/§12: 20 € up to 150 €; 30 € + 10 % of the part above
    150 € up to 500 €; 65 € + 5 % of the part above 500 €, at most 2 000 €.
    (Mirrors the claims.law fee rules; kept here for the first-reminder mention.)
    """
    if balance <= Decimal("150"):
        cap = Decimal("20")
    elif balance <= Decimal("500"):
        cap = Decimal("30") + Decimal("0.10") * (balance - Decimal("150"))
    else:
        cap = min(
            Decimal("65") + Decimal("0.05") * (balance - Decimal("500")),
            Decimal("2000"),
        )
    return cap.quantize(CENT, rounding=ROUND_HALF_UP)


def payment_deadline(
    *,
    kind: str,
    sent_on: date,
    country: str,
    debtor_kind: str,
    channel: str,
    deadline_days: int,
) -> date:
    """Last day to pay, inclusive.

    The one rule of ``claims.law.calendar.message_deadline`` (the engine
    holds the next step until the day after): BE consumer first reminder →
    the last day of the 14-day period (CDE art. XIX.2, legal brief §2.2);
    otherwise ``deadline_days`` after the letter; both moved to the next
    working day of the creditor's country.
    """
    return message_deadline(
        sent_on,
        deadline_days,
        country,
        kind=kind,
        debtor_kind=debtor_kind,
        channel=channel,
    )


def letter_context(
    *,
    kind: str,
    parties: Parties,
    statement: Statement,
    at: date,
    language: str,
    channel: str = "email",
    deadline_days: int = 15,
    intro: str = "",
) -> dict[str, Any]:
    """The full template context of one letter."""
    deadline = payment_deadline(
        kind=kind,
        sent_on=at,
        country=parties.creditor_country,
        debtor_kind=parties.debtor_kind,
        channel=channel,
        deadline_days=deadline_days,
    )
    is_be = parties.creditor_country == "BE"
    reference = payment_reference(
        country=parties.creditor_country,
        structured_reference=parties.payment_reference,
        claim_reference=parties.claim_reference,
    )
    qr_payload = payment_request_payload(
        statement=statement,
        name=parties.creditor_name,
        iban=parties.creditor_iban,
        bic=parties.creditor_bic,
        reference=reference,
        claim_reference=parties.claim_reference,
    )
    return {
        "kind": kind,
        "p": parties,
        "s": statement,
        "at": at,
        "language": language,
        "channel": channel,
        "deadline": deadline,
        "is_be": is_be,
        "is_consumer": parties.debtor_kind == "consumer",
        "payment_reference": reference,
        "amount_to_pay": amount_to_pay(statement),
        "qr_payload": qr_payload,
        # A PNG, not an SVG: the PDF embeds it once as an image instead of
        # drawing every module as a vector path (a fifth of a letter's render).
        "qr_image": epc_qr_png_data_uri(qr_payload, scale=4) if qr_payload else "",
        "be_consumer_cap": be_consumer_indemnity_cap(statement.principal_due),
        "interest_rules": list(
            dict.fromkeys(p.rule for p in statement.interest_periods)
        ),
        "fee_groups": fee_groups(statement),
        "intro": override_fill(
            intro,
            total=amount_to_pay(statement),
            currency=statement.currency,
            deadline=deadline,
            reference=parties.claim_reference,
            creditor=parties.creditor_name,
            debtor=parties.debtor_name,
            language=language,
        )
        if intro
        else "",
    }


def fee_groups(statement: Statement) -> list[dict[str, Any]]:
    """Fees with the same label and legal basis shown on one line (e.g. 40 € × 8)."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for fee in statement.fees:
        key = (fee.label, fee.legal_basis)
        group = groups.setdefault(
            key,
            {
                "label": fee.label,
                "legal_basis": fee.legal_basis,
                "invoice": fee.invoice,
                "count": 0,
                "amount": Decimal("0.00"),
            },
        )
        group["count"] += 1
        group["amount"] += fee.amount
    return list(groups.values())
