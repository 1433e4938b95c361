"""Value types exchanged between the law functions, the selectors and the letters.

The statement of account (décompte) is the one source of amounts for letters,
the dashboard, the portal and the bailiff file.
"""

from __future__ import annotations

from dataclasses import MISSING
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import gettext

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# gettext() looks the active language up on every call (a context-local read
# through asgiref); the engine translates the same few fixed texts in every
# statement, so it asks the language once and keeps each text per language.
_TRANSLATED: dict[tuple[str | None, str], str] = {}


def translated(lang: str | None, msgid: str) -> str:
    """``gettext(msgid)`` while ``lang`` (``get_language()``) is active, memoised."""
    key = (lang, msgid)
    try:
        return _TRANSLATED[key]
    except KeyError:
        text = _TRANSLATED[key] = gettext(msgid)
        return text


@receiver(setting_changed, dispatch_uid="claims_law_translated_reset")
def _translations_changed(*, setting: str, **kwargs: Any) -> None:
    # Cache invalidation only: the catalogues Django reloads on these settings.
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "USE_I18N"):
        _TRANSLATED.clear()


def _quick_init(cls: type) -> type:
    """Give a frozen dataclass an ``__init__`` that fills ``__dict__`` directly.

    The generated init of a frozen dataclass sets each field through
    ``object.__setattr__``; a statement builds dozens of these values (one per
    interest line), and that call was a sixth of the engine's time. Same
    signature, defaults and default factories; the instances stay frozen
    (assignment still raises), equal and hashable as before.
    """
    params, body, env = [], [], {}
    for f in fields(cls):
        if f.default is not MISSING:
            env[f"_dflt_{f.name}"] = f.default
            params.append(f"{f.name}=_dflt_{f.name}")
            body.append(f"    d[{f.name!r}] = {f.name}")
        elif f.default_factory is not MISSING:
            env[f"_fact_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_HAS_FACTORY")
            body.append(
                f"    d[{f.name!r}] = _fact_{f.name}() "
                f"if {f.name} is _HAS_FACTORY else {f.name}"
            )
        else:
            params.append(f.name)
            body.append(f"    d[{f.name!r}] = {f.name}")
    env["_HAS_FACTORY"] = object()
    source = f"def __init__(self, {', '.join(params)}):\n    d = self.__dict__\n"
    exec(source + "\n".join(body), env)  # noqa: S102 - built from field names only
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]
    return cls


@_quick_init
@dataclass(frozen=True)
class InvoiceFacts:
    """What the law needs to know about one invoice (amounts include VAT)."""

    number: str
    issue_date: date
    due_date: date
    amount: Decimal
    is_credit_note: bool = False
    delivery_date: date | None = None
    description: str = ""
    # Invoice by invoice: this invoice's own first reminder and formal notice
    # (None: the claim's, if it was sent after this invoice fell due).
    first_reminder_sent_on: date | None = None
    first_reminder_channel: str = ""
    formal_notice_sent_on: date | None = None


@_quick_init
@dataclass(frozen=True)
class PaymentFacts:
    on: date
    amount: Decimal  # negative for a reversal
    reference: str = ""


@_quick_init
@dataclass(frozen=True)
class InterestPeriod:
    """One line of interest: a base, a rate and a number of days."""

    invoice: str
    start: date  # inclusive
    end: date  # inclusive
    days: int
    base: Decimal
    rate: Decimal  # percent per year, e.g. Decimal("10.5")
    amount: Decimal  # rounded to the cent once, for display
    rule: str  # e.g. "Loi du 2 août 2002, art. 5 — taux publié S1 2026"
    rate_is_fallback: bool = False


@_quick_init
@dataclass(frozen=True)
class FeeLine:
    label: str
    amount: Decimal
    legal_basis: str
    invoice: str = ""


@_quick_init
@dataclass(frozen=True)
class Allocation:
    """How one payment was applied."""

    on: date
    amount: Decimal
    to_costs: Decimal
    to_interest: Decimal
    to_principal: Decimal
    to_credit: Decimal
    reference: str = ""


@_quick_init
@dataclass(frozen=True)
class InvoiceLine:
    number: str
    issue_date: date
    due_date: date
    amount: Decimal
    principal_paid: Decimal
    principal_due: Decimal
    is_credit_note: bool = False
    description: str = ""


@_quick_init
@dataclass(frozen=True)
class Statement:
    """The money position of a claim at a date."""

    at: date
    currency: str
    invoices: tuple[InvoiceLine, ...]
    interest_periods: tuple[InterestPeriod, ...]
    fees: tuple[FeeLine, ...]
    allocations: tuple[Allocation, ...]
    principal: Decimal  # invoiced minus credit notes
    principal_due: Decimal
    interest: Decimal  # accrued, before payments
    interest_due: Decimal
    costs: Decimal  # fees and indemnities, before payments
    costs_due: Decimal
    paid: Decimal
    waived: Decimal
    credit: Decimal  # overpayment kept for the debtor
    total_due: Decimal
    warnings: tuple[str, ...] = field(default_factory=tuple)
    prescription_on: date | None = None  # earliest, over the unpaid invoices
    prescription_rule: str = ""  # the article applied, e.g. "art. L110-4 C. com."

    @property
    def uses_fallback_rate(self) -> bool:
        return any(p.rate_is_fallback for p in self.interest_periods)

    @property
    def time_barred(self) -> bool:
        """At least one unpaid invoice is time-barred on ``at`` (legal-brief §3.5, §8.5).

        Conservative: the prescription day itself counts as barred ("act before").
        """
        return self.prescription_on is not None and self.at >= self.prescription_on
