"""Route advice for one claim: facts from the database, advice from the law."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from claims.engine.seed import seed_text
from claims.law.routes import RouteCostFacts
from claims.law.routes import RouteFacts
from claims.law.routes import RouteOption
from claims.law.routes import advise
from claims.law.types import Statement
from claims.ledger.statements import claim_statement
from claims.models import Claim
from claims.models import Dispute
from claims.models import RouteCost


@dataclass(frozen=True)
class RouteAdvice:
    options: list[RouteOption]
    prominent: bool  # the amicable path is exhausted: show it first on the page

    @property
    def best(self) -> RouteOption | None:
        return self.options[0] if self.options else None


def route_costs() -> list[RouteCostFacts]:
    """The editable cost table (one query)."""
    return [
        RouteCostFacts(
            r.route, seed_text(r.label), r.amount, r.recoverable, seed_text(r.source)
        )
        for r in RouteCost.objects.all()
    ]


def route_facts(*, claim: Claim, prescription_on: date | None = None) -> RouteFacts:
    """What the advisor needs to know about a claim (2 queries at most).

    ``prescription_on`` is the statement's (one date everywhere: the claim
    page, the advice, the hand-off file).
    """
    creditor, debtor = claim.creditor, claim.debtor
    contested = Dispute.objects.filter(claim=claim, status=Dispute.Status.OPEN).exists()
    first_invoice = (
        claim.invoices.order_by("due_date").only("delivery_date", "issue_date").first()
    )
    performed = (
        first_invoice.delivery_date or first_invoice.issue_date
        if first_invoice
        else None
    )
    return RouteFacts(
        creditor_country=creditor.country,
        debtor_country=debtor.country,
        debtor_kind=debtor.kind,
        balance=claim.balance,
        oldest_due_date=claim.oldest_due_date or claim.created_at.date(),
        creditor_has_enterprise_number=bool(creditor.enterprise_number),
        debtor_has_enterprise_number=bool(debtor.enterprise_number),
        contested=contested or claim.stage == "disputed",
        has_debtor_writing=claim.has_debtor_writing,
        amicable_exhausted=claim.amicable_exhausted_on is not None,
        debtor_insolvent=debtor.is_insolvent,
        performance_date=performed,
        prescription_on=prescription_on,
    )


def route_advice(
    *, claim: Claim, today: date, statement: Statement | None = None
) -> RouteAdvice:
    """All routes for ``claim``, best first; ``claim`` should carry creditor/debtor.

    The prescription date is the statement's at ``today`` (computed unless the
    caller already has it).
    """
    from claims.judicial.outcomes import advice_outcomes

    if statement is None:
        statement = claim_statement(claim=claim, at=today)
    facts = route_facts(claim=claim, prescription_on=statement.prescription_on)
    outcomes = advice_outcomes(creditor_id=claim.creditor_id, today=today)
    return RouteAdvice(
        options=advise(facts, route_costs(), today, outcomes),
        prominent=facts.amicable_exhausted,
    )
