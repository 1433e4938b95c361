"""The debtor says « I have paid »: one service for the portal and the back-office.

Nothing enters the payment ledger: only a bank line or the creditor does that.
A plausible declaration pauses the reminders a few days while the bank
confirms; the pause never shortens an existing, longer one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from claims.ledger.services import event_record
from claims.ledger.services import payment_check
from claims.ledger.timeline import amount as money
from claims.ledger.timeline import said
from claims.models import Claim
from claims.models import Event

DEBTOR = "débiteur"
PAUSE_DAYS_AFTER_DECLARATION = 5
# A declaration pauses reminders only when it is plausible and not a pattern:
# a payment made in the last 30 days (an older one is on the bank statements
# already), for at least a tenth of what is due, and one pause per 60 days.
DECLARATION_MAX_AGE_DAYS = 30
DECLARATION_MIN_SHARE = Decimal("0.10")
DECLARATION_PAUSE_WINDOW_DAYS = 60


@dataclass(frozen=True)
class Declaration:
    """What a declaration did: the claim as it is now, the pause's last day (None
    when refused), why it was refused, and how many declarations in 60 days."""

    claim: Claim
    paused_until: date | None
    refusal: str | None
    declarations_60_days: int


def _pause_refusal(
    *, claim: Claim, paid_on: date, amount: Decimal, today: date
) -> tuple[str | None, int]:
    """(why the declaration does not pause reminders or None, earlier
    declarations on this claim in the last 60 days). The creditor sees both."""
    since = timezone.now() - timedelta(days=DECLARATION_PAUSE_WINDOW_DAYS)
    earlier = list(
        Event.objects.filter(
            claim=claim,
            kind=Event.Kind.PORTAL,
            at__gte=since,
            data__has_key="declared_payment",
        ).values_list("data", flat=True)
    )
    if (today - paid_on).days > DECLARATION_MAX_AGE_DAYS:
        return "paiement déclaré de plus de 30 jours", len(earlier)
    due = claim.balance
    if due > 0 and amount < (due * DECLARATION_MIN_SHARE).quantize(Decimal("0.01")):
        return "montant inférieur à 10 % du solde", len(earlier)
    if any(d.get("paused_until") for d in earlier):
        return "une pause a déjà été accordée ces 60 derniers jours", len(earlier)
    return None, len(earlier)


@transaction.atomic
def payment_declared(
    *,
    claim: Claim,
    amount: Decimal,
    paid_on: date,
    today: date,
    proof: str = "",
    note: str = "",
    actor_label: str = DEBTOR,
) -> Declaration:
    """Record the debtor's « I have paid » on the claim's timeline and, when it is
    plausible, pause the reminders until ``today`` + 5 days.

    The declared payment follows the ledger's rules (not in the future, not
    before the first invoice, a real amount: ``claims.ledger.services.payment_check``,
    refused with a message on the ``paid_on`` field). ``proof`` is the stored
    path of the debtor's proof, if any.
    """
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    amount = payment_check(
        claim=locked, amount=amount, on=paid_on, today=today, field_on="paid_on"
    )
    refusal, earlier = _pause_refusal(
        claim=locked, paid_on=paid_on, amount=amount, today=today
    )
    until = today + timedelta(days=PAUSE_DAYS_AFTER_DECLARATION)
    if refusal is None:
        Claim.objects.filter(pk=locked.pk).filter(
            Q(paused_until__isnull=True) | Q(paused_until__lt=until)
        ).update(paused_until=until, updated_at=timezone.now())
        outcome = said(gettext_noop("relances suspendues jusqu'au %s"), until)
    else:
        outcome = said(gettext_noop("relances maintenues (%s)"), refusal)
    event_record(
        claim=locked,
        kind=Event.Kind.PORTAL,
        actor_label=actor_label,
        message=said(
            gettext_noop("Le débiteur déclare avoir payé %(a)s le %(d)s ; %(o)s"),
            a=money(amount, locked.currency),
            d=paid_on,
            o=outcome,
        ),
        data={
            "declared_payment": str(amount),
            "paid_on": paid_on.isoformat(),
            "paused_until": until.isoformat() if refusal is None else None,
            "pause_refused": refusal or "",
            "declarations_60_days": earlier + 1,
            "proof": proof,
            "proof_name": proof.rsplit("/", 1)[-1],
            "note": note[:500],
        },
    )
    claim.refresh_from_db(fields=["paused_until"])
    return Declaration(
        claim=claim,
        paused_until=until if refusal is None else None,
        refusal=refusal,
        declarations_60_days=earlier + 1,
    )
