"""The judicial track's legal deadlines (pure, no ORM, no clock).

A recorded step of a route may open a deadline the owner must watch; each one
cites the legal-brief section it applies. Routes and steps without a fixed
period in the brief return ``None`` (the owner may still type a date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from django.utils.translation import gettext as _

from claims.law import routes as r
from claims.law.plans import add_months

SERVED = "served"
TITLE = "title"


@dataclass(frozen=True)
class Deadline:
    on: date
    label: str


def step_deadline(route: str, kind: str, on: date) -> Deadline | None:
    """The deadline a step of ``route`` recorded on ``on`` opens, if the law sets one."""
    if kind == SERVED:
        if route == r.BE_UNCONTESTED:
            # §3.1: one month to react, then at the earliest 8 days after its
            # expiry the bailiff may draw up the PV of non-contestation.
            return Deadline(
                add_months(on, 1) + timedelta(days=8),
                _(
                    "Un mois pour réagir + 8 jours écoulés : demander à l'huissier "
                    "le procès-verbal de non-contestation (art. 1394/25 C.J.)"
                ),
            )
        if route == r.BE_ORDER_TO_PAY:
            # §3.2: the prior summons gives the debtor 15 days to pay.
            return Deadline(
                on + timedelta(days=15),
                _(
                    "Délai de 15 jours de la sommation écoulé : l'avocat peut "
                    "déposer la requête (art. 1338 C.J.)"
                ),
            )
        if route == r.FR_SMALL_CLAIMS:
            # §8.1: one month to accept; silence is a refusal.
            return Deadline(
                add_months(on, 1),
                _(
                    "Fin du délai d'un mois pour accepter (silence = refus, "
                    "art. R125-2 CPCE)"
                ),
            )
        if route == r.FR_INJONCTION:
            # §8.2: opposition within one month of service (art. 1416 CPC).
            return Deadline(
                add_months(on, 1),
                _(
                    "Fin du délai d'opposition d'un mois (art. 1416 CPC) : demander "
                    "la formule exécutoire"
                ),
            )
        if route == r.EU_PAYMENT_ORDER:
            # §9: opposition within 30 days of service (art. 16 Reg. 1896/2006).
            return Deadline(
                on + timedelta(days=30),
                _(
                    "Fin du délai d'opposition de 30 jours (art. 16 règl. "
                    "1896/2006) : demander la déclaration constatant la force "
                    "exécutoire"
                ),
            )
        return None
    if kind == TITLE:
        if route == r.FR_INJONCTION:
            # §8.2: the order lapses unless served within 6 months (art. 1411 CPC).
            return Deadline(
                add_months(on, 6),
                _(
                    "Signifier l'ordonnance d'injonction de payer avant cette date, "
                    "sinon elle est caduque (art. 1411 CPC)"
                ),
            )
        if route in (r.FR_SMALL_CLAIMS, r.FR_REFERE):
            # §8.5: a title is enforceable for 10 years (art. L111-4 CPCE).
            return Deadline(
                add_months(on, 120),
                _("Le titre ne peut plus être exécuté après cette date (L111-4 CPCE)"),
            )
    return None
