"""Build the statement of account of a claim from the database (selectors).

Loads the claim's invoices, payments and waivers (prefetched, no query per
invoice) and the rate table (cached per process, invalidated through a
version key in the shared cache whenever a ``Rate`` is saved or deleted),
then hands plain values to the pure ``claims.law.statement.compute_statement``.
"""

from __future__ import annotations

import uuid
from collections import namedtuple
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Q
from django.db.models import prefetch_related_objects
from django.db.models.signals import post_delete
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from claims.law import rates as law_rates
from claims.law.rates import RateTable
from claims.law.rates import RateUnavailable
from claims.law.rates import RateValue
from claims.law.rates import check_interest_computable
from claims.law.statement import ClaimFacts
from claims.law.statement import JudicialCostFacts
from claims.law.statement import WaiverFacts
from claims.law.statement import compute_statement
from claims.law.types import InvoiceFacts
from claims.law.types import PaymentFacts
from claims.law.types import Statement
from claims.models import Claim
from claims.models import Creditor
from claims.models import InvoiceKind
from claims.models import Rate

RATES_VERSION_KEY = "claims:rates:version"
_LOADED: dict[str, tuple[str, RateTable]] = {}
_PREFETCH = ("creditor", "debtor", "invoices", "payments", "waivers")


def rates_changed() -> None:
    """Make every process reload the rate table on its next statement."""
    cache.set(RATES_VERSION_KEY, uuid.uuid4().hex, None)


@receiver(post_save, sender=Rate, dispatch_uid="claims_rates_changed_save")
@receiver(post_delete, sender=Rate, dispatch_uid="claims_rates_changed_delete")
def _on_rate_change(**kwargs: Any) -> None:
    # Cache invalidation only (no business rule): see module docstring.
    rates_changed()


def rate_table() -> RateTable:
    """The ``Rate`` rows as a ``RateTable``; one DB query only when they changed."""
    version = cache.get(RATES_VERSION_KEY)
    if version is None:
        cache.add(RATES_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(RATES_VERSION_KEY)
    loaded = _LOADED.get("table")
    if loaded is not None and loaded[0] == version:
        return loaded[1]
    table = RateTable(
        RateValue(r.kind, r.valid_from, r.value, r.valid_to, r.source, r.confirmed)
        for r in Rate.objects.all()
    )
    _LOADED["table"] = (version, table)
    return table


def missing_rates(today: date) -> list[str]:
    """Rate series / periods needed today (current and previous half-year) with
    no published value, e.g. ``["be_commercial S2 2026"]`` — for the dashboard."""
    return law_rates.missing_rates(today, rate_table())


def rate_coverage_error(
    *,
    country: str,
    debtor_kind: str | None,
    due_date: date,
    contract_rate: Decimal | None = None,
) -> str | None:
    """Why interest on an invoice due on ``due_date`` cannot be computed, or None.

    Interest can start the day after the due date (law 2 Aug 2002 art. 5;
    art. L441-10 II C. com.), so that day must be covered by the rate
    tables. Forms and imports show the message as a validation error;
    ``debtor_kind`` None checks every kind of debtor of ``country``.
    """
    try:
        check_interest_computable(
            rate_table(),
            country=country,
            debtor_kind=debtor_kind,
            first_interest_day=due_date + timedelta(days=1),
            contract_rate=contract_rate,
        )
    except RateUnavailable as exc:
        return exc.message
    return None


def invoice_demanded(invoice: Any, on: date) -> bool:
    """An invoice joins a message sent ``on`` only once it is due (due < on);
    a credit note always counts."""
    return invoice.kind == InvoiceKind.CREDIT_NOTE or invoice.due_date < on


def claim_facts(*, claim: Claim, at: date, demanded_only: bool = False) -> ClaimFacts:
    """The plain facts of a prefetched ``claim`` (invoices, payments, waivers).

    ``demanded_only``: only the invoices a message sent on ``at`` demands.
    """
    if claim.stage in _JUDICIAL_STAGES and not hasattr(claim, "_judicial_steps"):
        judicial_costs_load([claim])
    return _facts(
        claim=claim,
        creditor=claim.creditor,
        debtor_kind=claim.debtor.kind,
        invoices=list(claim.invoices.all()),
        payments=list(claim.payments.all()),
        waivers=list(claim.waivers.all()),
        judicial_steps=getattr(claim, "_judicial_steps", ()),
        at=at,
        demanded_only=demanded_only,
    )


def _facts(
    *,
    claim: Any,
    creditor: Any,
    debtor_kind: str,
    invoices: list[Any],
    payments: list[Any],
    waivers: list[Any],
    judicial_steps: Iterable[dict[str, Any]],
    at: date,
    demanded_only: bool = False,
) -> ClaimFacts:
    """The facts of one claim from its rows: model instances or the plain
    rows of :func:`claims_statements_lean` (same attribute names)."""
    contract_rate = claim.contract_rate
    if contract_rate is None:
        contract_rate = creditor.contract_rate
    has_own_clause = (
        claim.penalty_clause_percent is not None
        or claim.penalty_clause_minimum is not None
    )
    terms = claim if has_own_clause else creditor
    invoices, waivers = _live(invoices, waivers, at)
    return ClaimFacts(
        country=creditor.country,
        debtor_kind=debtor_kind,
        currency=claim.currency,
        is_sme=creditor.is_sme,
        contract_rate=contract_rate,
        penalty_clause_percent=terms.penalty_clause_percent,
        penalty_clause_minimum=terms.penalty_clause_minimum,
        first_reminder_sent_on=claim.first_reminder_sent_on,
        first_reminder_channel=claim.first_reminder_channel,
        formal_notice_sent_on=claim.formal_notice_sent_on,
        allocation_order=creditor.allocation_order,
        invoices=tuple(
            InvoiceFacts(
                number=i.number,
                issue_date=i.issue_date,
                due_date=i.due_date,
                amount=i.amount,
                is_credit_note=i.kind == InvoiceKind.CREDIT_NOTE,
                delivery_date=i.delivery_date,
                description=i.description,
                first_reminder_sent_on=i.first_reminder_sent_on,
                first_reminder_channel=i.first_reminder_channel,
                formal_notice_sent_on=i.formal_notice_sent_on,
            )
            for i in invoices
            if not demanded_only or invoice_demanded(i, at)
        ),
        payments=tuple(
            PaymentFacts(on=p.date, amount=p.amount, reference=p.reference)
            for p in sorted(payments, key=lambda p: (p.date, p.pk))
            if p.date <= at
        ),
        waivers=tuple(
            WaiverFacts(kind=w.kind, amount=w.amount, reason=w.reason)
            for w in waivers
            if w.created_at.date() <= at
        ),
        judicial_costs=_judicial_costs(claim.stage, judicial_steps, at),
    )


_JUDICIAL_STAGES = ("judicial", "closed")


def judicial_costs_load(claims: Iterable[Claim]) -> None:
    """Load the title-awarded judicial costs of many claims in one query.

    Only claims in the judicial stage (or closed) can have them; the others
    cost no query. Sets ``claim._judicial_steps`` read by ``claim_facts``.
    """
    wanted = {c.pk: c for c in claims if c.stage in _JUDICIAL_STAGES}
    steps = _judicial_steps(list(wanted))
    for pk, c in wanted.items():
        c._judicial_steps = steps.get(pk, [])  # type: ignore[attr-defined]


def _judicial_steps(claim_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The steps that can award costs, of claims in the judicial stage or
    closed, by claim: one query, none when ``claim_ids`` is empty."""
    from claims.models import JudicialStep

    found: dict[int, list[dict[str, Any]]] = {}
    if not claim_ids:
        return found
    rows = JudicialStep.objects.filter(case__claim_id__in=claim_ids).filter(
        Q(kind=JudicialStep.Kind.TITLE) | Q(costs_awarded__gt=0)
    )
    for step in rows.values("case__claim_id", "kind", "on", "costs_awarded"):
        found.setdefault(step["case__claim_id"], []).append(step)
    return found


def _judicial_costs(
    stage: str, judicial_steps: Iterable[dict[str, Any]], at: date
) -> tuple[JudicialCostFacts, ...]:
    """Costs the debtor owes by an enforceable title: none until a title is
    recorded (legal-brief §7.2: no collection costs without a title in FR B2C;
    §3, §8: the title or judgment decides the costs)."""
    if stage not in _JUDICIAL_STAGES:
        return ()
    steps = [s for s in judicial_steps if s["on"] <= at]
    titles = [s["on"] for s in steps if s["kind"] == "title"]
    if not titles:
        return ()
    title_on = min(titles)
    return tuple(
        JudicialCostFacts(
            on=max(s["on"], title_on),
            amount=s["costs_awarded"],
            basis=f"Titre exécutoire du {title_on:%d/%m/%Y}",
        )
        for s in sorted(steps, key=lambda s: s["on"])
        if s["costs_awarded"] > 0
    )


def _live(
    invoices: list[Any], waivers: list[Any], at: date
) -> tuple[list[Any], list[Any]]:
    """Invoices and waivers minus cancelled ones: a counter-entry (``reverses``)
    and, from its date on, the entry it cancels are both left out."""
    gone = {i.reverses_id for i in invoices if i.reverses_id and i.issue_date <= at}
    invoices = [i for i in invoices if not i.reverses_id and i.pk not in gone]
    gone = {
        w.reverses_id for w in waivers if w.reverses_id and w.created_at.date() <= at
    }
    waivers = [w for w in waivers if not w.reverses_id and w.pk not in gone]
    return invoices, waivers


# The plain rows of the set-based statements (no model instances): the
# attribute names ``_facts`` reads, then the stored figures a refresh compares.
_LEAN_CLAIM = {
    "pk": "pk",
    "creditor_id": "creditor_id",
    "debtor_kind": "debtor__kind",
    "currency": "currency",
    "contract_rate": "contract_rate",
    "penalty_clause_percent": "penalty_clause_percent",
    "penalty_clause_minimum": "penalty_clause_minimum",
    "first_reminder_sent_on": "first_reminder_sent_on",
    "first_reminder_channel": "first_reminder_channel",
    "formal_notice_sent_on": "formal_notice_sent_on",
    "stage": "stage",
    "principal": "principal",
    "paid": "paid",
    "balance": "balance",
    "due_principal": "due_principal",
    "due_interest": "due_interest",
    "due_costs": "due_costs",
    "figures_at": "figures_at",
    "oldest_due_date": "oldest_due_date",
}
_LEAN_CREDITOR = (
    "pk",
    "country",
    "is_sme",
    "contract_rate",
    "penalty_clause_percent",
    "penalty_clause_minimum",
    "allocation_order",
    "time_zone",
)
_LEAN_INVOICE = (
    "claim_id",
    "pk",
    "reverses_id",
    "kind",
    "number",
    "issue_date",
    "due_date",
    "amount",
    "delivery_date",
    "description",
    "first_reminder_sent_on",
    "first_reminder_channel",
    "formal_notice_sent_on",
)
_LEAN_PAYMENT = ("claim_id", "pk", "date", "amount", "reference")
_LEAN_WAIVER = (
    "claim_id",
    "pk",
    "reverses_id",
    "kind",
    "amount",
    "reason",
    "created_at",
)

ClaimRow = namedtuple("ClaimRow", list(_LEAN_CLAIM))
CreditorRow = namedtuple("CreditorRow", _LEAN_CREDITOR)
_InvoiceRow = namedtuple("_InvoiceRow", _LEAN_INVOICE)
_PaymentRow = namedtuple("_PaymentRow", _LEAN_PAYMENT)
_WaiverRow = namedtuple("_WaiverRow", _LEAN_WAIVER)


@dataclass(slots=True)
class LeanClaim:
    """One claim's rows, as plain tuples, for :func:`lean_statement`."""

    claim: Any
    creditor: Any
    invoices: list[Any] = field(default_factory=list)
    payments: list[Any] = field(default_factory=list)
    waivers: list[Any] = field(default_factory=list)
    judicial_steps: list[dict[str, Any]] = field(default_factory=list)


def claims_load_lean(ids: list[int]) -> list[LeanClaim]:
    """The rows of many claims for their statements, in pk order: one query
    per table (claims with their debtor's kind, creditors, invoices, payments,
    waivers, judicial steps), plain tuples, no model instances."""
    from claims.models import Invoice
    from claims.models import Payment
    from claims.models import Waiver

    if not ids:
        return []
    claim_rows = [
        ClaimRow._make(r)
        for r in Claim.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list(*_LEAN_CLAIM.values())
    ]
    creditors = {
        r[0]: CreditorRow._make(r)
        for r in Creditor.objects.filter(
            pk__in={c.creditor_id for c in claim_rows}
        ).values_list(*_LEAN_CREDITOR)
    }
    out = {
        c.pk: LeanClaim(claim=c, creditor=creditors[c.creditor_id]) for c in claim_rows
    }
    # The models' own orderings, as the related managers give them.
    for r in Invoice.objects.filter(claim_id__in=ids).values_list(*_LEAN_INVOICE):
        out[r[0]].invoices.append(_InvoiceRow._make(r))
    for r in Payment.objects.filter(claim_id__in=ids).values_list(*_LEAN_PAYMENT):
        out[r[0]].payments.append(_PaymentRow._make(r))
    waivers = Waiver.objects.filter(claim_id__in=ids).order_by("pk")
    for r in waivers.values_list(*_LEAN_WAIVER):
        out[r[0]].waivers.append(_WaiverRow._make(r))
    judicial = _judicial_steps(
        [c.pk for c in claim_rows if c.stage in _JUDICIAL_STAGES]
    )
    for pk, steps in judicial.items():
        out[pk].judicial_steps = steps
    return list(out.values())


def lean_statement(lean: LeanClaim, at: date, table: RateTable) -> Statement:
    """The statement on ``at`` of a claim loaded by :func:`claims_load_lean`:
    the same facts, hence the same figures, as :func:`claim_statement`."""
    facts = _facts(
        claim=lean.claim,
        creditor=lean.creditor,
        debtor_kind=lean.claim.debtor_kind,
        invoices=lean.invoices,
        payments=lean.payments,
        waivers=lean.waivers,
        judicial_steps=lean.judicial_steps,
        at=at,
    )
    return compute_statement(facts, table, at)


def creditor_today_of(time_zone: str) -> date:
    """Today in a creditor's time zone (see :func:`creditor_today`)."""
    return timezone.localdate(timezone=ZoneInfo(time_zone))


def claim_statement(
    *, claim: Claim, at: date, demanded_only: bool = False
) -> Statement:
    """The statement of ``claim`` on ``at``: principal, interest, fees, payments.

    ``demanded_only``: the statement a message sent on ``at`` shows — only
    the invoices already due (see :func:`invoice_demanded`).
    """
    prefetch_related_objects([claim], *_PREFETCH)
    judicial_costs_load([claim])
    return compute_statement(
        claim_facts(claim=claim, at=at, demanded_only=demanded_only), rate_table(), at
    )


def message_statement(
    *, claim: Claim, kind: str, sent_on: date, channel: str, until: date
) -> Statement:
    """What a message of ``kind`` sent on ``sent_on`` asks to pay by ``until``.

    The invoices it demands (already due on ``sent_on``), with the dates its
    sending records (``claims.engine.run._record_invoices``: each invoice's
    first reminder, and its formal notice for a formal notice), figured on
    ``until``, the message's deadline: interest up to that day included, so
    paying :func:`amount_to_pay` of it by then settles the claim. Its interest
    start is the one the claim's statement takes once the message is sent
    (e.g. FR consumer: the day after the formal notice, art. 1344-1 and
    1231-6 C. civ.).
    """
    prefetch_related_objects([claim], *_PREFETCH)
    judicial_costs_load([claim])
    facts = claim_facts(claim=claim, at=sent_on, demanded_only=True)
    if kind != "pre_due":
        notice = kind == "formal_notice"
        facts = replace(
            facts,
            first_reminder_sent_on=facts.first_reminder_sent_on
            or (sent_on if kind == "first_reminder" else None),
            first_reminder_channel=facts.first_reminder_channel
            if facts.first_reminder_sent_on or kind != "first_reminder"
            else channel,
            formal_notice_sent_on=sent_on if notice else facts.formal_notice_sent_on,
            invoices=tuple(
                i
                if i.is_credit_note
                else replace(
                    i,
                    first_reminder_sent_on=i.first_reminder_sent_on or sent_on,
                    first_reminder_channel=i.first_reminder_channel
                    if i.first_reminder_sent_on
                    else channel,
                    formal_notice_sent_on=i.formal_notice_sent_on
                    or (sent_on if notice else None),
                )
                for i in facts.invoices
            ),
        )
    return compute_statement(facts, rate_table(), max(until, sent_on))


def claim_statements(*, claims: Iterable[Claim], at: date) -> dict[int, Statement]:
    """Statements of many claims with a constant number of queries, keyed by pk."""
    items = list(claims)
    prefetch_related_objects(items, *_PREFETCH)
    judicial_costs_load(items)
    table = rate_table()
    return {
        c.pk: compute_statement(claim_facts(claim=c, at=at), table, at) for c in items
    }


def creditor_today(creditor: Creditor) -> date:
    """Today in the creditor's time zone: the date the stored figures are for."""
    return creditor_today_of(creditor.time_zone)


def amount_to_pay(statement: Statement) -> Decimal:
    """The one amount a debtor is asked to pay: the statement's total due.

    Used by the EPC QR code, the e-mails, the PDFs and the portal; zero when
    nothing is due (an overpayment is a credit, never a negative amount).
    """
    return max(statement.total_due, Decimal("0.00"))
