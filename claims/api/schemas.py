"""Request and response bodies of the API (pydantic, via django-ninja).

Money is a decimal string with its currency (``{"amount": "120.50",
"currency": "EUR"}``), dates are ISO 8601, ids are the objects' UUID codes.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Annotated
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field
from pydantic import StringConstraints

#: An amount as written in the request: "120", "120.5" or "120.50".
AmountStr = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{1,10}(\.[0-9]{1,2})?$", max_length=13)
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Text = Annotated[str, StringConstraints(max_length=300)]


class Money(Schema):
    amount: str = Field(examples=["120.50"])
    currency: str = Field(examples=["EUR"])


def money(value: Decimal | None, currency: str) -> dict[str, str]:
    return {"amount": f"{value or Decimal('0.00'):.2f}", "currency": currency}


class Page(Schema):
    next_cursor: str | None = None


# --- debtors -----------------------------------------------------------------


class DebtorIn(Schema):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    kind: Literal["business", "consumer"] = "business"
    enterprise_number: Annotated[str, StringConstraints(max_length=20)] = ""
    vat_number: Annotated[str, StringConstraints(max_length=20)] = ""
    email: Annotated[str, StringConstraints(max_length=254)] = ""
    phone: Annotated[str, StringConstraints(max_length=30)] = ""
    language: Literal["fr", "nl", "en", "de"] = "fr"
    customer_number: Annotated[str, StringConstraints(max_length=50)] = ""
    address_line1: Annotated[str, StringConstraints(max_length=200)] = ""
    address_line2: Annotated[str, StringConstraints(max_length=200)] = ""
    postal_code: Annotated[str, StringConstraints(max_length=20)] = ""
    city: Annotated[str, StringConstraints(max_length=100)] = ""
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "BE"


class DebtorOut(Schema):
    id: UUID
    name: str
    kind: str
    enterprise_number: str
    vat_number: str
    email: str
    language: str
    customer_number: str
    address_line1: str
    address_line2: str
    postal_code: str
    city: str
    country: str
    created_at: datetime


class DebtorPage(Page):
    items: list[DebtorOut]


# --- claims and invoices ---------------------------------------------------------


class InvoiceIn(Schema):
    number: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    issue_date: date
    due_date: date
    amount: AmountStr
    vat_amount: AmountStr = "0.00"
    currency: Currency = "EUR"
    description: Text = ""
    delivery_date: date | None = None


class InvoiceOut(Schema):
    id: UUID
    kind: str
    number: str
    issue_date: date
    due_date: date
    delivery_date: date | None
    amount: Money
    vat_amount: Money
    description: str
    credited_invoice: UUID | None = None
    reverses: UUID | None = None


class ClaimIn(Schema):
    debtor: UUID
    invoices: list[InvoiceIn] = Field(min_length=1, max_length=100)
    reference: Annotated[str, StringConstraints(max_length=40)] = ""
    terms_reference: Annotated[str, StringConstraints(max_length=200)] = ""
    has_debtor_writing: bool = False


class ClaimOut(Schema):
    id: UUID
    reference: str
    structured_reference: str
    debtor: UUID
    debtor_name: str
    status: str
    stage: str
    stage_entered_on: date
    currency: str
    principal: Money
    paid: Money
    balance: Money
    oldest_due_date: date | None
    next_action_on: date | None
    created_at: datetime


class ClaimDetail(ClaimOut):
    invoices: list[InvoiceOut]


class ClaimPage(Page):
    items: list[ClaimOut]


class InvoiceImportIn(InvoiceIn):
    debtor: UUID
    claim: UUID | None = Field(
        default=None,
        description="Add the invoice to this open claim; without it a claim is opened.",
    )


class InvoiceImportOut(Schema):
    created: bool
    claim: UUID
    invoice: InvoiceOut


class CreditNoteIn(Schema):
    number: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    issue_date: date
    amount: AmountStr
    currency: Currency = "EUR"
    description: Text = ""
    credited_invoice: UUID | None = None


# --- payments and reversals ---------------------------------------------------------


class PaymentIn(Schema):
    amount: AmountStr
    date: date
    currency: Currency = "EUR"
    method: Literal["transfer", "card", "cash", "cheque", "direct_debit", "other"] = (
        "transfer"
    )
    reference: Annotated[str, StringConstraints(max_length=140)] = ""
    payer_iban: Annotated[str, StringConstraints(max_length=34)] = ""


class PaymentOut(Schema):
    id: UUID
    claim: UUID
    date: date
    amount: Money
    method: str
    reference: str
    reverses: UUID | None = None
    created_at: datetime


class PaymentList(Schema):
    items: list[PaymentOut]


class ReverseIn(Schema):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=300)]


# --- statement ---------------------------------------------------------


class StatementInvoice(Schema):
    number: str
    issue_date: date
    due_date: date
    is_credit_note: bool
    amount: Money
    principal_paid: Money
    principal_due: Money


class StatementInterest(Schema):
    invoice: str
    start: date
    end: date
    days: int
    base: Money
    rate: str
    amount: Money
    rule: str


class StatementFee(Schema):
    label: str
    invoice: str
    amount: Money
    legal_basis: str


class StatementPayment(Schema):
    date: date
    amount: Money
    to_costs: Money
    to_interest: Money
    to_principal: Money
    to_credit: Money
    reference: str


class StatementOut(Schema):
    claim: UUID
    at: date
    currency: str
    invoices: list[StatementInvoice]
    interest_periods: list[StatementInterest]
    fees: list[StatementFee]
    payments: list[StatementPayment]
    principal: Money
    principal_due: Money
    interest: Money
    interest_due: Money
    costs: Money
    costs_due: Money
    paid: Money
    waived: Money
    credit: Money
    total_due: Money
    warnings: list[str]
    prescription_on: date | None
    prescription_rule: str


# --- disputes, plans, collection state ---------------------------------------------


class DisputeOut(Schema):
    id: UUID
    status: str
    reason: str
    source: str
    amount: Money | None
    invoice: str | None
    answer: str
    opened_at: datetime
    resolved_at: datetime | None


class DisputeList(Schema):
    items: list[DisputeOut]


class InstalmentOut(Schema):
    due_on: date
    amount: Money
    paid: Money


class PlanOut(Schema):
    id: UUID
    status: str
    requested_by_debtor: bool
    accepted_on: date | None
    created_at: datetime
    instalments: list[InstalmentOut]


class PlanList(Schema):
    items: list[PlanOut]


class NextStep(Schema):
    kind: str
    label: str
    channel: str
    due_on: date
    held: bool
    reason: str


class CollectionOut(Schema):
    claim: UUID
    status: str
    stage: str
    stage_label: str
    stage_entered_on: date
    resume_stage: str
    paused_until: date | None
    held: bool
    held_reason: str
    next_action_on: date | None
    next_step: NextStep | None
    reply_by: date | None
    closed_reason: str
    closed_on: date | None


# --- documents (served by letters.api) -----------------------------------------


class DocumentOut(Schema):
    id: UUID
    kind: str
    title: str
    mime_type: str
    size: int
    sha256: str
    channel: str
    rendered_at: datetime
    sent_at: datetime | None
    download_url: str


class DocumentList(Schema):
    items: list[DocumentOut]
