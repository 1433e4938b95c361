"""Collection scenarios as pure data: default timelines, validation, planning.

Defaults follow legal-brief "(d) Default timelines" (days after due date D).
No ORM and no clock here: the services turn these specs into Scenario rows
and Action rows (``claims.engine.collection``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from claims.law.calendar import POST_WORKING_DAYS
from claims.law.calendar import WAITING_DAYS
from claims.law.calendar import is_electronic

EMAIL, POST, EMAIL_POST, REGISTERED, CALL, ESCALATE = (
    "email",
    "post",
    "email_post",
    "registered",
    "call",
    "escalate",
)
DUE_DATE, PREVIOUS_STEP = "due_date", "previous_step"
PRE_DUE, FIRST_REMINDER, REMINDER, FORMAL_NOTICE = (
    "pre_due",
    "first_reminder",
    "reminder",
    "formal_notice",
)
MESSAGE_KINDS = frozenset({PRE_DUE, FIRST_REMINDER, REMINDER, FORMAL_NOTICE})
ZERO = Decimal("0.00")
# Worst case, in calendar days, for 3 Belgian working days (a long weekend
# around a public holiday): used to check a scenario without knowing dates.
_POST_WORST_CALENDAR_DAYS = POST_WORKING_DAYS + 4


@dataclass(frozen=True)
class StepSpec:
    """One step, as stored in ScenarioStep (``kind`` is also the template name)."""

    kind: str
    offset_days: int
    channel: str = EMAIL
    anchor: str = DUE_DATE
    min_days_since_contact: int = 0
    claims_interest: bool = False
    claims_fees: bool = False
    fee: Decimal = ZERO
    deadline_days: int = 15

    @property
    def template(self) -> str:
        return self.kind

    @property
    def charges(self) -> bool:
        return self.claims_interest or self.claims_fees or self.fee > 0

    def row_fields(self) -> dict[str, Any]:
        """The ScenarioStep column values of this step (position aside)."""
        return {
            "kind": self.kind,
            "offset_days": self.offset_days,
            "anchor": self.anchor,
            "min_days_since_contact": self.min_days_since_contact,
            "channel": self.channel,
            "template": self.template,
            "claims_interest": self.claims_interest,
            "claims_fees": self.claims_fees,
            "fee": self.fee,
            "deadline_days": self.deadline_days,
        }


def _s(kind: str, offset: int, channel: str, **kw: object) -> StepSpec:
    return StepSpec(kind=kind, offset_days=offset, channel=channel, **kw)  # type: ignore[arg-type]


# legal-brief (d) "Belgium B2B": D+3 reminder 1 (e-mail); D+15 reminder 2
# (e-mail + post) with interest and 40 €; D+30 formal notice (registered +
# e-mail, 15 days); D+45 uncontested-debt procedure or summons.
# Each message's deadline ends before the next step (deadlines first): reminder
# 1 gives 10 days, reminder 2 gives 14, the notice 15 (the engine holds a step
# until the day after the last deadline, moved past weekends and holidays).
BE_B2B = (
    _s(FIRST_REMINDER, 3, EMAIL, claims_interest=True, deadline_days=10),
    _s(
        REMINDER,
        15,
        EMAIL_POST,
        min_days_since_contact=7,
        claims_interest=True,
        claims_fees=True,
        deadline_days=14,
    ),
    _s(
        FORMAL_NOTICE,
        30,
        REGISTERED,
        min_days_since_contact=7,
        claims_interest=True,
        claims_fees=True,
    ),
    _s(ESCALATE, 45, ESCALATE, claims_interest=True, claims_fees=True),
)
# legal-brief (d) "Belgium B2C": free first reminder D+1…D+7; 14-day waiting
# period; ≈ D+30 second reminder / formal notice with capped amounts; ≈ D+45
# hand-off. E-mail at D+7 → claimable ≈ D+22.
BE_B2C = (
    _s(FIRST_REMINDER, 7, EMAIL),
    _s(
        FORMAL_NOTICE,
        30,
        EMAIL_POST,
        min_days_since_contact=14,
        claims_interest=True,
        claims_fees=True,
    ),
    _s(ESCALATE, 45, ESCALATE, claims_interest=True, claims_fees=True),
)
# legal-brief (d) "France B2B": penalties + 40 € from D+1; D+3 reminder 1;
# D+15 reminder 2 with penalties + 40 €; D+30 mise en demeure (LRAR); D+45–60 court.
FR_B2B = (
    _s(FIRST_REMINDER, 3, EMAIL, claims_interest=True, deadline_days=10),
    _s(
        REMINDER,
        15,
        EMAIL_POST,
        min_days_since_contact=7,
        claims_interest=True,
        claims_fees=True,
        deadline_days=14,
    ),
    _s(
        FORMAL_NOTICE,
        30,
        REGISTERED,
        min_days_since_contact=7,
        claims_interest=True,
        claims_fees=True,
        deadline_days=8,
    ),
    _s(ESCALATE, 45, ESCALATE, claims_interest=True, claims_fees=True),
)
# legal-brief (d) "France B2C": D+3…7 reminder 1 (no fees); D+15–21 reminder 2;
# D+30 mise en demeure, legal interest runs from it, no recovery costs (L111-8).
FR_B2C = (
    _s(FIRST_REMINDER, 5, EMAIL, deadline_days=12),
    _s(REMINDER, 18, EMAIL, min_days_since_contact=7, deadline_days=11),
    _s(
        FORMAL_NOTICE,
        30,
        REGISTERED,
        min_days_since_contact=7,
        claims_interest=True,
        deadline_days=8,
    ),
    _s(ESCALATE, 45, ESCALATE, claims_interest=True),
)

DEFAULTS: dict[tuple[str, str], tuple[StepSpec, ...]] = {
    ("BE", "business"): BE_B2B,
    ("BE", "consumer"): BE_B2C,
    ("FR", "business"): FR_B2B,
    ("FR", "consumer"): FR_B2C,
}
DEFAULT_NAMES = {
    ("BE", "business"): "Belgique — entreprises (B2B)",
    ("BE", "consumer"): "Belgique — consommateurs (B2C, Livre XIX)",
    ("FR", "business"): "France — professionnels (B2B)",
    ("FR", "consumer"): "France — particuliers (B2C)",
}


def plan_dates(steps: Sequence[StepSpec], due_date: date) -> list[date]:
    """The planned date of each step: from the due date or the previous step."""
    out: list[date] = []
    previous = due_date
    for step in steps:
        base = previous if step.anchor == PREVIOUS_STEP else due_date
        previous = base + timedelta(days=step.offset_days)
        out.append(previous)
    return out


def validate_scenario(steps: Sequence[StepSpec], country: str, kind: str) -> list[str]:
    """Reasons why ``steps`` would be unlawful or incoherent; empty list = valid."""
    errors = _check_shape(steps)
    if kind == "consumer":
        errors += _check_consumer(steps, country)
    else:
        errors += _check_business(steps)
    return errors


def _check_shape(steps: Sequence[StepSpec]) -> list[str]:
    errors: list[str] = []
    if not steps:
        return [_("Un scénario doit contenir au moins une étape.")]
    offsets = plan_dates(steps, date(2000, 1, 1))
    for i, (step, on) in enumerate(zip(steps, offsets, strict=True), start=1):
        if step.kind in (CALL, ESCALATE) and step.channel != step.kind:
            errors.append(_("Étape %d : le canal doit correspondre au type.") % i)
        if step.kind in MESSAGE_KINDS and step.channel in (CALL, ESCALATE):
            errors.append(_("Étape %d : un courrier ne peut pas avoir ce canal.") % i)
        if step.anchor == PREVIOUS_STEP and step.offset_days < 0:
            errors.append(_("Étape %d : délai négatif après l'étape précédente.") % i)
        if (on < date(2000, 1, 1)) != (step.kind == PRE_DUE):
            errors.append(
                _("Étape %d : seul un rappel avant échéance précède l'échéance.") % i
            )
        if step.kind == PRE_DUE and step.charges:
            errors.append(
                _("Étape %d : rien ne peut être réclamé avant l'échéance.") % i
            )
        if i > 1 and on < offsets[i - 2]:
            errors.append(_("Étape %d : elle tombe avant l'étape précédente.") % i)
        if step.kind == ESCALATE and i != len(steps):
            errors.append(
                _("Étape %d : le passage au judiciaire doit être la dernière.") % i
            )
        if step.kind == FORMAL_NOTICE and step.deadline_days < 8:
            errors.append(
                _("Étape %d : la mise en demeure doit laisser au moins 8 jours.") % i
            )
    return errors


def _check_business(steps: Sequence[StepSpec]) -> list[str]:
    return []


def _check_consumer(steps: Sequence[StepSpec], country: str) -> list[str]:
    errors: list[str] = []
    dates = plan_dates(steps, date(2000, 1, 1))
    for i, step in enumerate(steps, start=1):
        if step.fee > 0:
            # legal-brief §12 "Block: 40 € indemnity on consumers (BE & FR)";
            # BE: no reminder fee outside the XIX.4 cap (§2.1, conservative).
            errors.append(
                _(
                    "Étape %(i)d : aucun frais fixe (%(fee)s EUR) ne peut être "
                    "réclamé à un consommateur."
                )
                % {"i": i, "fee": step.fee}
            )
        if country == "FR" and step.claims_fees:
            errors.append(
                _(
                    "Étape %d : aucun frais de recouvrement ne peut être réclamé à un "
                    "consommateur sans titre exécutoire (art. L111-8 CPCE)."
                )
                % i
            )
    if country == "FR":
        errors += _check_fr_consumer_interest(steps)
    if country == "BE":
        errors += _check_be_consumer(steps, dates)
    return errors


def _check_fr_consumer_interest(steps: Sequence[StepSpec]) -> list[str]:
    # legal-brief §7.1 / (d) FR B2C: legal interest runs from the formal notice.
    errors = []
    for i, step in enumerate(steps, start=1):
        if step.kind == FORMAL_NOTICE:
            break
        if step.claims_interest:
            errors.append(
                _(
                    "Étape %d : les intérêts ne courent qu'à partir de la mise en "
                    "demeure pour un consommateur."
                )
                % i
            )
    return errors


def _check_be_consumer(steps: Sequence[StepSpec], dates: list[date]) -> list[str]:
    """Book XIX (art. XIX.2): a free first reminder first, then 14 days of nothing."""
    collection = [
        (i, s, d)
        for i, (s, d) in enumerate(zip(steps, dates, strict=True), 1)
        if s.kind != PRE_DUE
    ]
    if not collection:
        return []
    i, first, sent = collection[0]
    if first.kind != FIRST_REMINDER or first.channel in (CALL, ESCALATE):
        return [
            _(
                "Étape %d : pour un consommateur belge, la première démarche doit être "
                "un premier rappel écrit (art. XIX.2 CDE)."
            )
            % i
        ]
    errors = []
    if first.charges:
        errors.append(
            _(
                "Étape %d : le premier rappel à un consommateur belge doit être "
                "gratuit (art. XIX.2 CDE)."
            )
            % i
        )
    paper = not is_electronic(first.channel)
    wait = WAITING_DAYS + (_POST_WORST_CALENDAR_DAYS if paper else 1)
    for j, _step, on in collection[1:]:
        if (on - sent).days < wait:
            errors.append(
                _(
                    "Étape %(j)d : rien ne peut suivre le premier rappel avant la fin du "
                    "délai d'attente de 14 jours (art. XIX.2 CDE) — au plus tôt "
                    "%(n)d jours après le premier rappel."
                )
                % {"j": j, "n": wait}
            )
    return errors
