"""Reads spanning relations: summaries and lists, set-based, constant query count."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case
from django.db.models import CharField
from django.db.models import Count
from django.db.models import DecimalField
from django.db.models import Exists
from django.db.models import F
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Sum
from django.db.models import Value
from django.db.models import When
from django.db.models.functions import Coalesce
from django.utils import timezone

from claims.models import Action
from claims.models import Claim
from claims.models import Creditor
from claims.models import CreditorFigures
from claims.models import Debtor
from claims.models import FiguresChange
from claims.models import Invoice
from claims.models import JudicialCase
from claims.models import JudicialStep
from claims.models import Payment
from claims.models import PaymentPlan

_MONEY = DecimalField(max_digits=14, decimal_places=2)
_ZERO = Value(Decimal("0.00"), output_field=_MONEY)


def creditor_summary(*, creditor_id: int) -> dict[str, Decimal | int]:
    """Open balance and counts per stage for one creditor, in one query."""
    return Claim.objects.for_creditor(creditor_id).aggregate(
        open_count=Count("pk", filter=Q(status="open")),
        open_balance=Coalesce(
            Sum("balance", filter=Q(status="open")), _ZERO, output_field=_MONEY
        ),
        closed_count=Count("pk", filter=Q(status="closed")),
        formal_notice_count=Count("pk", filter=Q(status="open", stage="formal_notice")),
        judicial_count=Count("pk", filter=Q(status="open", stage="judicial")),
        disputed_count=Count("pk", filter=Q(status="open", stage="disputed")),
    )


def debtors_with_exposure(*, creditor_id: int) -> QuerySet[Debtor]:
    """Debtors of a creditor annotated with their open exposure and claim count."""
    return (
        Debtor.objects.for_creditor(creditor_id)
        .annotate(
            exposure=Coalesce(
                Sum("claims__balance", filter=Q(claims__status="open")),
                _ZERO,
                output_field=_MONEY,
            ),
            open_claims=Count("claims", filter=Q(claims__status="open")),
        )
        .order_by("-exposure", "name")
    )


# --------------------------------------------------------------------------
# Dashboard: one query per widget at most, constant in the number of claims.
# --------------------------------------------------------------------------

AGE_BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    # (key, min days late inclusive, max days late inclusive); None = open end
    ("not_due", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("90_plus", 91, None),
)

# Prescription watchdog (legal-brief §3.5 and §8.5, §13 checklist): BE consumer
# goods 1 year (art. 2272 old C. civ.), BE otherwise 10 years (art. 2262bis);
# FR professional → consumer 2 years (L218-2 C. conso.), FR between traders
# 5 years (L110-4 C. com.). Counted from the oldest due date, which is the
# earliest possible start; the statement gives the exact date per claim.
PRESCRIPTION_YEARS: dict[tuple[str, str], int] = {
    ("BE", "consumer"): 1,
    ("BE", "business"): 10,
    ("FR", "consumer"): 2,
    ("FR", "business"): 5,
}


def age_bucket_q(key: str, *, today: date) -> Q:
    """The filter on open claims whose oldest due date falls in bucket ``key``."""
    for name, low, high in AGE_BUCKETS:
        if name != key:
            continue
        q = Q()
        if low is not None:
            q &= Q(oldest_due_date__lte=today - timedelta(days=low))
        if high is not None:
            q &= Q(oldest_due_date__gte=today - timedelta(days=high))
        if key == "not_due":
            q = Q(oldest_due_date__gte=today) | Q(oldest_due_date__isnull=True)
        return q
    raise ValueError(key)


def _money_sum(field: str, q: Q) -> Coalesce:
    return Coalesce(Sum(field, filter=q), _ZERO, output_field=_MONEY)


def _figures_aggregates(today: date) -> dict[str, Any]:
    """The expressions of the stored dashboard figures: the one rule."""
    open_q = Q(status="open")
    aggregates: dict[str, Any] = {
        "outstanding": _money_sum("balance", open_q),
        "outstanding_count": Count("pk", filter=open_q),
        "overdue": _money_sum("balance", open_q & Q(oldest_due_date__lt=today)),
        "overdue_count": Count("pk", filter=open_q & Q(oldest_due_date__lt=today)),
        "formal_notice": _money_sum("balance", open_q & Q(stage="formal_notice")),
        "formal_notice_count": Count("pk", filter=open_q & Q(stage="formal_notice")),
        "judicial": _money_sum("balance", open_q & Q(stage="judicial")),
        "judicial_count": Count("pk", filter=open_q & Q(stage="judicial")),
        "disputes": Count("pk", filter=open_q & Q(stage="disputed")),
        "exhausted": Count("pk", filter=open_q & exhausted_q()),
        "prescription": Count("pk", filter=open_q & prescription_soon_q(today=today)),
        # What entered each step (recovery_by_stage), every status.
        "entered_before_reminder": _money_sum("principal", Q()),
        "entered_amicable": _money_sum(
            "principal", Q(first_reminder_sent_on__isnull=False)
        ),
        "entered_formal_notice": _money_sum(
            "principal", Q(formal_notice_sent_on__isnull=False)
        ),
    }
    for key, _low, _high in AGE_BUCKETS:
        bucket = open_q & age_bucket_q(key, today=today)
        aggregates[f"age_{key}"] = _money_sum("balance", bucket)
        aggregates[f"age_{key}_count"] = Count("pk", filter=bucket)
    return aggregates


def claims_figures_compute(*, creditor_id: int, today: date) -> dict[str, Any]:
    """The claim figures of the dashboard, fresh from the claims (one query):
    headline amounts, aging buckets of open claims, the claim-only counts of
    "À décider" (disputes, exhausted amicable path, prescription soon) and
    what entered each step before the bailiff.

    The dashboard reads them through :func:`dashboard_figures` (stored per
    creditor, computed by the same expressions); this is the check of the
    stored row.
    """
    return Claim.objects.for_creditor(creditor_id).aggregate(
        **_figures_aggregates(today)
    )


def figures_compute(*, creditor_id: int, today: date) -> dict[str, Any]:
    """Every stored figure of the dashboard, fresh from the tables (one
    aggregate per table, nothing stored): the check of the stored row."""
    out: dict[str, Any] = {}
    for queryset, _key, aggregates in _figures_sources(today, [creditor_id]):
        out.update(queryset.aggregate(**aggregates))
    return out


def dashboard_figures(*, creditor_id: int, today: date) -> dict[str, Any]:
    """The figures of :func:`figures_compute`, read from the creditor's
    stored row (one query) when no row they read changed since and the day is
    the same; recomputed and stored otherwise (seven queries more).

    Exact at every read: the database lists every change of a column these
    figures read in the writer's own transaction (claims.models.figures).
    """
    row = (
        CreditorFigures.objects.filter(pk=creditor_id)
        .annotate(changed=Exists(FiguresChange.objects.filter(creditor_id=creditor_id)))
        .values_list("as_of", "figures", "changed")
        .first()
    )
    if (
        row is not None
        and row[0] == today
        and not row[2]
        and row[1].get("version") == FIGURES_VERSION
    ):
        return _figures_thaw(row[1])
    return creditor_figures_refresh(creditor_id=creditor_id, today=today)


def creditor_figures_refresh(*, creditor_id: int, today: date) -> dict[str, Any]:
    """Recompute and store the creditor's figures of ``today`` (3 queries)."""
    return creditors_figures_refresh(today=today, creditor_ids=[creditor_id])[
        creditor_id
    ]


def creditors_figures_refresh(
    *, today: date, creditor_ids: list[int] | None = None
) -> dict[int, dict[str, Any]]:
    """Recompute and store the figures of ``today`` of these creditors (all by
    default: the hourly figures task), set-based: one grouped aggregate per
    table read (claims, payments, invoices, actions, judicial cases), the
    change list emptied before and the rows stored after: 7 queries (8 for all).

    The change list is emptied first: a change committed after this point
    either is in the aggregates (read later) or stays listed for the next read.
    """
    ids = (
        list(Creditor.objects.values_list("pk", flat=True))
        if creditor_ids is None
        else list(creditor_ids)
    )
    FiguresChange.objects.filter(creditor_id__in=ids).delete()
    out: dict[int, dict[str, Any]] = {pk: {} for pk in ids}
    for queryset, key, aggregates in _figures_sources(today, ids):
        rows = queryset.values(key).annotate(**aggregates).order_by()
        found = {row.pop(key): row for row in rows}
        # A creditor without rows: zero amounts and counts.
        none = {
            k: 0 if isinstance(v, Count) else Decimal("0.00")
            for k, v in aggregates.items()
        }
        for pk in ids:
            out[pk].update(found.get(pk, none))
    CreditorFigures.objects.bulk_create(
        [
            CreditorFigures(creditor_id=pk, as_of=today, figures=_figures_freeze(f))
            for pk, f in out.items()
        ],
        update_conflicts=True,
        unique_fields=["creditor"],
        update_fields=["as_of", "figures", "computed_at"],
    )
    return out


def _figures_sources(today: date, ids: list[int]) -> list[tuple[QuerySet, str, dict]]:
    """(rows, creditor column, aggregates) of every stored figure: the one rule
    of each figure the dashboard shows from the whole book."""
    return [
        (
            Claim.objects.filter(creditor_id__in=ids),
            "creditor_id",
            _figures_aggregates(today),
        ),
        (
            Payment.objects.filter(creditor_id__in=ids).alias(step=_payment_step()),
            "creditor_id",
            _payments_aggregates(today),
        ),
        (
            Invoice.objects.filter(creditor_id__in=ids),
            "creditor_id",
            _invoices_aggregates(today),
        ),
        (
            Action.objects.filter(
                creditor_id__in=ids,
                state__in=[Action.State.FAILED, Action.State.UNCERTAIN],
            ),
            "creditor_id",
            {
                "failed": Count("pk", filter=Q(state=Action.State.FAILED)),
                "uncertain": Count("pk", filter=Q(state=Action.State.UNCERTAIN)),
            },
        ),
        # Handed off to the bailiff: what entered the judicial step.
        (
            JudicialCase.objects.filter(
                claim__creditor_id__in=ids, handed_off_on__isnull=False
            ),
            "claim__creditor_id",
            {"entered_judicial": _money_sum("claim__principal", Q())},
        ),
    ]


CASH_MONTHS = 12  # cash received per month (the chart)
SALES_MONTHS = 24  # invoiced per month (DSO count-back)


def _month_q(field: str, today: date, back: int) -> Q:
    """``field`` within the calendar month ``back`` months before today's
    (the current month up to today)."""
    q = Q(**{f"{field}__gte": month_start(today, back=back)})
    if back == 0:
        return q & Q(**{f"{field}__lte": today})
    return q & Q(**{f"{field}__lt": month_start(today, back=back - 1)})


def _payment_step() -> Case:
    """The step a payment is credited to (:func:`recovery_by_stage`)."""
    return Case(
        When(claim__judicial__handed_off_on__lte=F("date"), then=Value("judicial")),
        When(claim__formal_notice_sent_on__lte=F("date"), then=Value("formal_notice")),
        When(claim__first_reminder_sent_on__lte=F("date"), then=Value("amicable")),
        default=Value("before_reminder"),
        output_field=CharField(),
    )


def _payments_aggregates(today: date) -> dict[str, Any]:
    """Per payment: cash by month (reversals count in the month they were
    booked), the CEI's payments, what each step collected."""
    start = month_start(today, back=2)
    aggregates: dict[str, Any] = {
        f"cash_{back}": _money_sum("amount", _month_q("date", today, back))
        for back in range(CASH_MONTHS)
    }
    aggregates["paid_before_cei"] = _money_sum("amount", Q(date__lt=start))
    aggregates["paid_total"] = _money_sum("amount", Q(date__lte=today))
    for key in RECOVERY_STAGES:
        aggregates[f"collected_{key}"] = _money_sum("amount", Q(step=key))
    return aggregates


def _invoices_aggregates(today: date) -> dict[str, Any]:
    """Per invoice (credit notes deducted): invoiced by month, the CEI's
    opening, sales, current and total."""
    start = month_start(today, back=2)

    def net(q: Q) -> Any:
        return _money_sum("amount", q & ~Q(kind="credit_note")) - _money_sum(
            "amount", q & Q(kind="credit_note")
        )

    aggregates: dict[str, Any] = {
        f"invoiced_{back}": net(_month_q("issue_date", today, back))
        for back in range(SALES_MONTHS)
    }
    aggregates["invoiced_before_cei"] = net(Q(issue_date__lt=start))
    aggregates["invoiced_cei"] = net(Q(issue_date__gte=start, issue_date__lte=today))
    aggregates["invoiced_current"] = _money_sum(
        "amount",
        Q(issue_date__lte=today, due_date__gte=today) & ~Q(kind="credit_note"),
    )
    aggregates["invoiced_total"] = net(Q(issue_date__lte=today))
    return aggregates


# The set of stored figures: a row stored by an earlier set (a server of the
# previous release still running after the migration) is recomputed.
FIGURES_VERSION = 2


def _figures_freeze(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": FIGURES_VERSION,
        "money": {k: str(v) for k, v in figures.items() if isinstance(v, Decimal)},
        "count": {k: v for k, v in figures.items() if not isinstance(v, Decimal)},
    }


def _figures_thaw(stored: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: Decimal(v) for k, v in stored["money"].items()}
    out.update(stored["count"])
    return out


def month_start(day: date, *, back: int = 0) -> date:
    """First day of the month ``back`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def cash_by_month(
    *, creditor_id: int, today: date, figures: dict | None = None
) -> list[dict]:
    """Money received per calendar month over the last :data:`CASH_MONTHS`
    months, oldest first: stored figures (``figures``, the creditor's
    :func:`dashboard_figures`, read when not given)."""
    if figures is None:
        figures = dashboard_figures(creditor_id=creditor_id, today=today)
    return [
        {"month": month_start(today, back=back), "total": figures[f"cash_{back}"]}
        for back in range(CASH_MONTHS - 1, -1, -1)
    ]


def invoiced_by_month(
    *, creditor_id: int, today: date, figures: dict | None = None
) -> list[Decimal]:
    """Invoiced amounts (credit notes deducted) per month over the last
    :data:`SALES_MONTHS` months, most recent first (stored figures)."""
    if figures is None:
        figures = dashboard_figures(creditor_id=creditor_id, today=today)
    return [figures[f"invoiced_{back}"] for back in range(SALES_MONTHS)]


def dso_count_back(
    *, receivables: Decimal, monthly_sales: list[Decimal], today: date
) -> Decimal | None:
    """Days sales outstanding by the count-back method (pure).

    ``monthly_sales`` is most recent month first; the current month counts
    only for the days elapsed. Walk back month by month: a month whose sales
    are fully covered by the remaining receivables adds all its days; the
    month that exhausts them adds the covered fraction of its days.
    None when nothing was invoiced in the window.
    """
    if not any(monthly_sales):
        return None
    remaining = receivables
    days = Decimal(0)
    for back, sales in enumerate(monthly_sales):
        first = month_start(today, back=back)
        if back == 0:
            month_days = today.day
        else:
            month_days = (month_start(today, back=back - 1) - first).days
        if remaining <= 0:
            break
        if sales <= 0:
            days += month_days
            continue
        if remaining >= sales:
            days += month_days
            remaining -= sales
        else:
            days += Decimal(month_days) * remaining / sales
            remaining = Decimal(0)
    return days.quantize(Decimal("1"))


def collection_effectiveness(
    *,
    opening: Decimal,
    sales: Decimal,
    closing: Decimal,
    current: Decimal,
) -> Decimal | None:
    """CEI = (opening + sales − closing) / (opening + sales − current) × 100 (pure).

    ``current`` is the part of the closing receivables not yet due. None when
    the denominator is zero (nothing was collectible).
    """
    denominator = opening + sales - current
    if denominator <= 0:
        return None
    return ((opening + sales - closing) / denominator * 100).quantize(Decimal("0.1"))


def cei_inputs(
    *, creditor_id: int, today: date, figures: dict | None = None
) -> dict[str, Decimal]:
    """Opening/closing receivables and credit sales over the last 3 months.

    Receivables at a date = invoiced before it − paid before it (stored figures).
    """
    if figures is None:
        figures = dashboard_figures(creditor_id=creditor_id, today=today)
    closing = figures["invoiced_total"] - figures["paid_total"]
    return {
        "opening": figures["invoiced_before_cei"] - figures["paid_before_cei"],
        "sales": figures["invoiced_cei"],
        "closing": closing,
        "current": min(figures["invoiced_current"], max(closing, Decimal("0.00"))),
    }


RECOVERY_STAGES = ("before_reminder", "amicable", "formal_notice", "judicial")


def recovery_by_stage(
    *, creditor_id: int, figures: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """How much each step brings back: stored figures (``figures``, the
    creditor's :func:`dashboard_figures`, read when not given).

    Method (approximation documented for the owner): a payment is credited to
    the latest step the claim had reached on the payment date, read from the
    claim's milestone dates — first reminder sent, formal notice sent, hand-off
    to the bailiff (``JudicialCase.handed_off_on``). The denominator of a step
    is the principal of the claims that reached it. Rate = collected in step /
    principal that entered the step. Partial payments before a step lower what
    entered it only through the earlier step's numerator, so later rates are
    slightly understated — good enough to compare steps, not to book.
    """
    if figures is None:
        figures = dashboard_figures(creditor_id=creditor_id, today=timezone.localdate())
    collected = {k: figures[f"collected_{k}"] for k in RECOVERY_STAGES}
    entered = {k: figures[f"entered_{k}"] for k in RECOVERY_STAGES}
    rows = []
    for key in RECOVERY_STAGES:
        got = collected.get(key) or Decimal("0.00")
        base = entered[key]
        rate = (got / base * 100).quantize(Decimal("0.1")) if base > 0 else None
        rows.append({"key": key, "collected": got, "entered": base, "rate": rate})
    return rows


def planned_actions(
    *, creditor_id: int, today: date, days: int = 7, limit: int = 50
) -> list[Action]:
    """What the engine will do today and in the next ``days`` days (1 query)."""
    return list(
        Action.objects.for_creditor(creditor_id)
        .filter(
            state=Action.State.PLANNED,
            due_on__lte=today + timedelta(days=days),
        )
        .select_related("claim", "debtor", "step")
        .order_by("due_on", "pk")[:limit]
    )


def actions_uncertain(*, creditor_id: int, claim_id: int | None = None) -> QuerySet:
    """Sends left uncertain by a lost worker: the owner confirms or resends them."""
    qs = Action.objects.for_creditor(creditor_id).filter(state=Action.State.UNCERTAIN)
    if claim_id is not None:
        qs = qs.filter(claim_id=claim_id)
    return qs.select_related("claim", "debtor", "step").order_by("started_at", "pk")


def prescription_soon_q(*, today: date) -> Q:
    """Claims time-barred within 90 days (or already): the dashboard's alert
    and the claims list's filter read this one rule."""
    q = Q()
    for (country, kind), years in PRESCRIPTION_YEARS.items():
        limit = today.replace(year=today.year - years) + timedelta(days=90)
        q |= Q(debtor__country=country, debtor__kind=kind, oldest_due_date__lte=limit)
    return q


def exhausted_q() -> Q:
    """Claims whose amicable path is over and await the owner's choice."""
    return Q(
        stage="formal_notice",
        formal_notice_sent_on__isnull=False,
        next_action_on__isnull=True,
    )


def decisions_needed(
    *, creditor_id: int, today: date, figures: dict[str, Any] | None = None
) -> dict[str, int]:
    """Counts of what needs a human decision, 3 queries whatever the volume
    (4 without ``figures``, the creditor's :func:`dashboard_figures`).

    - disputes still open; failed sends (actions in FAILED); uncertain sends
      (a worker lost after the intent to send: confirm or resend); broken plans;
    - exhausted amicable path: open, not paused/disputed, no planned action left
      and formal notice already sent (the engine has nothing more to do);
    - prescription within 90 days (see ``PRESCRIPTION_YEARS``);
    - missing legal rate: no Rate row of the creditor's country covers today.
    """
    if figures is None:
        figures = dashboard_figures(creditor_id=creditor_id, today=today)
    # Stored: the claims' counts and the failed or uncertain sends.
    counts = {k: figures[k] for k in ("disputes", "exhausted", "prescription")}
    # Judicial deadlines (legal-brief §3, §8, §9) in the next 14 days or passed
    # within the last 7, on cases still running: the claims with such a step,
    # counted from the steps (few) rather than over every claim.
    counts["judicial_deadlines"] = (
        JudicialStep.objects.filter(
            case__claim__creditor_id=creditor_id,
            case__outcome__in=("pending", "title"),
            deadline__gte=today - timedelta(days=7),
            deadline__lte=today + timedelta(days=14),
        )
        .exclude(
            # settled: a step of another kind recorded after it
            Exists(
                JudicialStep.objects.filter(
                    case_id=OuterRef("case_id"),
                    on__gte=OuterRef("on"),
                    created_at__gt=OuterRef("created_at"),
                ).exclude(kind=OuterRef("kind"))
            )
        )
        .values("case__claim_id")
        .distinct()
        .count()
    )
    counts.update({k: figures[k] for k in ("failed", "uncertain")})
    counts["plans_broken"] = (
        PaymentPlan.objects.for_creditor(creditor_id)
        .filter(status=PaymentPlan.Status.BROKEN, claim__status="open")
        .count()
    )
    counts["missing_rate"] = _missing_rate(creditor_id=creditor_id, today=today)
    # A missing rate series is one decision, however many series are missing.
    counts["total"] = sum(v for k, v in counts.items() if k != "missing_rate") + min(
        counts["missing_rate"], 1
    )
    return counts


def _missing_rate(*, creditor_id: int, today: date) -> int:
    """How many rate series the creditor's country needs today lack a published
    value (the money engine then applies its documented fallback)."""
    from claims.ledger.statements import missing_rates

    country = (
        Creditor.objects.filter(pk=creditor_id)
        .values_list("country", flat=True)
        .first()
    )
    prefixes = (f"{(country or '').lower()}_", "ecb_")
    return sum(1 for entry in missing_rates(today) if entry.startswith(prefixes))


def collected_in(*, creditor_id: int, start: date, end: date) -> Decimal:
    """Money received between ``start`` and ``end`` inclusive."""
    return Payment.objects.for_creditor(creditor_id).aggregate(
        total=_money_sum("amount", Q(date__gte=start, date__lte=end))
    )["total"]
