"""The judicial track of one claim, as the claim page shows it (2 queries)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any

from claims.law.routes import route_label
from claims.models import Claim
from claims.models import JudicialCase
from claims.models import JudicialStep

SOON_DAYS = 14


@dataclass
class TrackStage:
    kind: str
    label: str
    steps: list[JudicialStep] = field(default_factory=list)


@dataclass
class Reminder:
    on: date
    label: str
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def soon(self) -> bool:
        return 0 <= self.days_left <= SOON_DAYS


@dataclass
class Track:
    case: JudicialCase
    route_label: str
    stages: list[TrackStage]
    reminders: list[Reminder]
    costs_advanced: Decimal
    costs_recovered: Decimal
    costs_awarded: Decimal
    collected: Decimal


def _settled(step: JudicialStep, steps: list[JudicialStep]) -> bool:
    """A deadline is settled once a step of another kind is recorded after it
    (the title after the period to oppose, the service of an order…)."""
    return any(
        s.kind != step.kind and (s.on, s.created_at) > (step.on, step.created_at)
        for s in steps
    )


def judicial_track(*, claim: Claim, today: date) -> Track | None:
    """The track after hand-off, or None (no query for a claim never handed off)."""
    if claim.stage not in ("judicial", "closed"):
        return None
    case = JudicialCase.objects.select_related("contact").filter(claim=claim).first()
    if case is None:
        return None
    steps = list(case.steps.all())
    stages = [TrackStage(k, str(label)) for k, label in JudicialStep.Kind.choices]
    by_kind: dict[str, Any] = {s.kind: s for s in stages}
    for s in steps:
        by_kind[s.kind].steps.append(s)
    reminders = [
        Reminder(s.deadline, s.deadline_label, (s.deadline - today).days)
        for s in steps
        if s.deadline and not _settled(s, steps)
    ]
    reminders.sort(key=lambda r: r.on)
    zero = Decimal("0.00")
    return Track(
        case=case,
        route_label=route_label(case.route),
        stages=stages,
        reminders=reminders,
        costs_advanced=sum((s.costs_advanced for s in steps), zero),
        costs_recovered=sum((s.costs_recovered for s in steps), zero),
        costs_awarded=sum((s.costs_awarded for s in steps), zero),
        collected=sum((s.amount_collected for s in steps), zero),
    )
