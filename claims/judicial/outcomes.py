"""What each amicable stage and each judicial route brought: set-based figures.

"Amicable or judicial — which works, how long, at what cost?" answered with
the creditor's own history over the last 12 months. Every figure is computed
by the database (annotate / aggregate, grouped): no loop over claims, a
constant number of queries whatever the volume.

Definitions (shown to the owner on the page):

- Judicial route: the cases handed off in the window and finished (an
  outcome recorded, or the claim closed). Paid = the case's
  outcome is "paid" or its claim closed as paid. Days to cash = claim closed
  on − handed off on (paid cases). Costs = costs advanced; collected = money
  collected through the track; net per 100 € claimed = (collected − costs
  advanced) × 100 / principal of the claims handed off.
- Amicable stage: the claims whose oldest due date falls in the window. The
  stage a paid claim is credited to is the last milestone reached before it
  closed as paid: before any reminder, after the first reminder, after a
  later reminder, after the formal notice, after a payment plan (a judicial
  hand-off is counted on its route). Share paid = claims paid at the stage /
  claims that reached it; days to cash = closed on − oldest due date.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Aggregate
from django.db.models import Case
from django.db.models import CharField
from django.db.models import Count
from django.db.models import DecimalField
from django.db.models import Exists
from django.db.models import F
from django.db.models import FloatField
from django.db.models import Func
from django.db.models import IntegerField
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import Sum
from django.db.models import Value
from django.db.models import When
from django.db.models.functions import Coalesce

from claims.law.routes import AMICABLE
from claims.law.routes import MIN_CASES
from claims.law.routes import RouteOutcome
from claims.models import Action
from claims.models import Claim
from claims.models import JudicialCase
from claims.models import PaymentPlan

ZERO = Decimal("0.00")
WINDOW_DAYS = 365
# An installation-wide figure is shown only when it mixes this many creditors
# (anonymity: no creditor's own figures can be read back from it).
MIN_SHARED_CREDITORS = 3
AMICABLE_STAGES = (
    "before_reminder",
    "first_reminder",
    "reminder",
    "formal_notice",
    "plan",
)


class DaysBetween(Func):
    """``end − start`` in days, as an integer (PostgreSQL date arithmetic)."""

    arity = 2
    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


class Median(Aggregate):
    """PostgreSQL ``percentile_cont(0.5)``; SQLite has none: the mean stands in."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            function="AVG",
            template="%(function)s(%(expressions)s)%(filter)s",
        )


def _money(expr: Any, **kw: Any) -> Any:
    return Coalesce(
        Sum(expr, **kw),
        Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def _outcome(key: str, row: dict[str, Any]) -> RouteOutcome:
    return RouteOutcome(
        route=key,
        cases=row["cases"],
        paid=row["paid"],
        median_days=row["median_days"],
        costs=row["costs"],
        claimed=row["claimed"],
        collected=row["collected"],
    )


def route_outcomes(
    *, creditor_id: int | None, today: date, shared: bool = False
) -> dict[str, RouteOutcome]:
    """Per judicial route, this creditor's results (1 query).

    ``shared``: across every creditor of the installation that opted in
    (``Creditor.share_outcomes``), anonymised — a route's figure is left out
    unless it mixes ``MIN_SHARED_CREDITORS`` creditors.
    """
    start = today - timedelta(days=WINDOW_DAYS)
    cases = JudicialCase.objects.filter(
        handed_off_on__gt=start, handed_off_on__lte=today
    )
    if shared:
        cases = cases.filter(creditor__share_outcomes=True)
    else:
        cases = cases.filter(creditor_id=creditor_id)
    paid = Q(outcome=JudicialCase.Outcome.PAID) | Q(claim__closed_reason="paid")
    # Only finished cases teach anything: a case still running is neither a
    # success nor a failure yet.
    finished = ~Q(
        outcome__in=(JudicialCase.Outcome.PENDING, JudicialCase.Outcome.TITLE)
    ) | Q(claim__status="closed")
    rows = (
        cases.filter(finished)
        .values("route")
        .annotate(
            cases=Count("pk"),
            creditors=Count("creditor_id", distinct=True),
            paid=Count("pk", filter=paid),
            median_days=Median(
                DaysBetween(F("claim__closed_on"), F("handed_off_on")),
                filter=paid & Q(claim__closed_on__isnull=False),
            ),
            costs=_money("costs_advanced"),
            claimed=_money("claim__principal"),
            collected=_money("amount_recovered"),
        )
        .order_by("route")
    )
    return {
        r["route"]: _outcome(r["route"], r)
        for r in rows
        if not shared or r["creditors"] >= MIN_SHARED_CREDITORS
    }


def _stage_case() -> Case:
    """The last amicable milestone a claim reached before it closed."""
    closed = F("closed_on")
    later_reminder = Action.objects.filter(
        claim=OuterRef("pk"),
        state=Action.State.DONE,
        step__kind="reminder",
        done_at__date__lte=OuterRef("closed_on"),
    )
    plan = PaymentPlan.objects.filter(
        claim=OuterRef("pk"),
        accepted_on__isnull=False,
        accepted_on__lte=OuterRef("closed_on"),
    )
    return Case(
        When(Exists(plan), then=Value("plan")),
        When(formal_notice_sent_on__lte=closed, then=Value("formal_notice")),
        When(Exists(later_reminder), then=Value("reminder")),
        When(first_reminder_sent_on__lte=closed, then=Value("first_reminder")),
        default=Value("before_reminder"),
        output_field=CharField(),
    )


def stage_outcomes(*, creditor_id: int, today: date) -> dict[str, RouteOutcome]:
    """Per amicable stage, what it brought this creditor (2 queries)."""
    start = today - timedelta(days=WINDOW_DAYS)
    cohort = Claim.objects.for_creditor(creditor_id).filter(
        oldest_due_date__gt=start, oldest_due_date__lte=today
    )
    judicial = JudicialCase.objects.filter(
        claim=OuterRef("pk"), handed_off_on__lte=OuterRef("closed_on")
    )
    paid_rows = (
        cohort.filter(closed_reason="paid", closed_on__isnull=False)
        .exclude(Exists(judicial))
        .annotate(reached=_stage_case())
        .values("reached")
        .annotate(
            n_paid=Count("pk"),
            median_days=Median(DaysBetween(F("closed_on"), F("oldest_due_date"))),
            collected=_money("paid"),
        )
        .order_by("reached")
    )
    paid = {r["reached"]: r for r in paid_rows}
    has_later = Exists(
        Action.objects.filter(
            claim=OuterRef("pk"), state=Action.State.DONE, step__kind="reminder"
        )
    )
    has_plan = Exists(
        PaymentPlan.objects.filter(claim=OuterRef("pk"), accepted_on__isnull=False)
    )
    reached = cohort.aggregate(
        before_reminder=Count("pk"),
        before_reminder_p=_money("principal"),
        first_reminder=Count("pk", filter=Q(first_reminder_sent_on__isnull=False)),
        first_reminder_p=_money(
            "principal", filter=Q(first_reminder_sent_on__isnull=False)
        ),
        reminder=Count("pk", filter=Q(has_later)),
        reminder_p=_money("principal", filter=Q(has_later)),
        formal_notice=Count("pk", filter=Q(formal_notice_sent_on__isnull=False)),
        formal_notice_p=_money(
            "principal", filter=Q(formal_notice_sent_on__isnull=False)
        ),
        plan=Count("pk", filter=Q(has_plan)),
        plan_p=_money("principal", filter=Q(has_plan)),
    )
    out = {}
    for key in AMICABLE_STAGES:
        row = paid.get(key, {})
        out[key] = RouteOutcome(
            route=key,
            cases=reached[key],
            paid=row.get("n_paid", 0),
            median_days=row.get("median_days"),
            costs=ZERO,
            claimed=reached[f"{key}_p"],
            collected=row.get("collected", ZERO),
        )
    return out


def advice_outcomes(*, creditor_id: int, today: date) -> dict[str, RouteOutcome]:
    """What ranks the routes of the advice: this creditor's own figures, else
    (opted-in creditors only) the installation's anonymised ones."""
    own = route_outcomes(creditor_id=creditor_id, today=today)
    from claims.models import Creditor

    if not Creditor.objects.filter(pk=creditor_id, share_outcomes=True).exists():
        return own
    shared = route_outcomes(creditor_id=None, today=today, shared=True)
    return {
        k: own[k] if k in own and own[k].cases >= MIN_CASES else v
        for k, v in (shared | own).items()
    }


def outcomes_page(*, creditor_id: int, today: date, shared: bool) -> dict[str, Any]:
    """Everything the "Amiable ou judiciaire ?" page shows (3 or 4 queries)."""
    stages = stage_outcomes(creditor_id=creditor_id, today=today)
    routes = route_outcomes(creditor_id=creditor_id, today=today)
    everyone = (
        route_outcomes(creditor_id=None, today=today, shared=True) if shared else {}
    )
    return {
        "stages": stages,
        "routes": dict(
            sorted(
                routes.items(), key=lambda kv: (not kv[1].enough, -kv[1].net_per_100)
            )
        ),
        "shared": everyone,
        "backend_median": connection.vendor == "postgresql",
        "amicable_key": AMICABLE,
    }
