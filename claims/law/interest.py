"""Late interest: which rate and from when (pure).

Simple interest on the amount including VAT (CJEU C-585/20), day count
actual/365 (practice, ⚠️ legal-brief §1.3), split at every rate-period
boundary and at every payment. Each line is rounded half-up to the cent.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext_noop

from claims.l10n import format_rate

from . import rates as r
from .calendar import claimable_from
from .fees import round_cent
from .types import translated

DAYS_IN_YEAR = Decimal("365")
HUNDRED = Decimal("100")


def line_interest(base: Decimal, rate: Decimal, days: int) -> Decimal:
    """base × rate% × days / 365, rounded once (half-up)."""
    return round_cent(base * rate * days / (HUNDRED * DAYS_IN_YEAR))


def interest_start(
    *,
    country: str,
    debtor_kind: str,
    due_date: date,
    is_sme: bool = False,
    sme_option: bool = False,
    has_interest_clause: bool = False,
    first_reminder_sent_on: date | None = None,
    first_reminder_channel: str = "",
    formal_notice_sent_on: date | None = None,
    at: date,
) -> date | None:
    """First day of interest, or None while no interest may run on ``at``.

    - BE B2B (law 2 Aug 2002, art. 5) and FR B2B (art. L441-10 II C. com.):
      the day after the due date, without notice.
    - BE B2C (art. XIX.2-XIX.4 CDE): only once the 14-day period after the
      free first reminder is over; SME option (legal-brief §2.2): from the day
      after the reminder, only when a clause provides late interest.
    - FR B2C (art. 1231-6 C. civ.): from the formal notice.
    """
    if debtor_kind == "business":
        return due_date + timedelta(days=1)
    if country == "BE":
        if first_reminder_sent_on is None:
            return None
        ready = claimable_from(first_reminder_sent_on, first_reminder_channel)
        if at < ready:
            return None
        if is_sme and sme_option and has_interest_clause:
            return max(
                first_reminder_sent_on + timedelta(days=1), due_date + timedelta(days=1)
            )
        return ready
    if formal_notice_sent_on is None:
        return None
    return max(formal_notice_sent_on + timedelta(days=1), due_date + timedelta(days=1))


def rate_periods(
    *,
    country: str,
    debtor_kind: str,
    contract_rate: Decimal | None,
    start: date,
    end: date,
    table: r.RateTable,
) -> list[r.RatePeriod]:
    """The rate for every day of [start, end], with the rule applied.

    - BE B2B: published rate of the half-year (art. 5 al. 2) or the contract rate.
    - BE B2C: the contract rate capped at the BE commercial rate (art. XIX.4
      CDE); without a contract rate, the legal rate (legal-brief §1.6 ⚠️).
    - FR B2B: ECB + 10 (art. L441-10 II) or the contract rate, at least
      3 × the legal rate "autres cas".
    - FR B2C: the legal rate "autres cas" (art. L313-2 C. mon. fin.) unless
      a contract rate applies.
    """
    if country == "BE" and debtor_kind == "business":
        if contract_rate is None:
            return r.split_by_period(r.BE_COMMERCIAL, start, end, table)
        return [
            r.RatePeriod(
                start,
                end,
                contract_rate,
                translated(get_language(), _BE_B2B_CONTRACT),
            )
        ]
    if country == "BE":
        if contract_rate is None:
            return r.split_by_period(r.BE_LEGAL, start, end, table)
        lang = get_language()
        return [
            _capped(p, contract_rate, lang)
            for p in r.split_by_period(r.BE_COMMERCIAL, start, end, table)
        ]
    if debtor_kind == "business":
        if contract_rate is None:
            return r.split_by_period(r.FR_B2B, start, end, table)
        lang = get_language()
        return [
            _floored(p, contract_rate, lang)
            for p in r.split_by_period(r.FR_LEGAL_OTHER, start, end, table)
        ]
    if contract_rate is not None:
        return [
            r.RatePeriod(
                start, end, contract_rate, translated(get_language(), _FR_B2C_CONTRACT)
            )
        ]
    return r.split_by_period(r.FR_LEGAL_OTHER, start, end, table)


_BE_B2B_CONTRACT = gettext_noop("Taux contractuel (loi du 2 août 2002, art. 5)")
_FR_B2C_CONTRACT = gettext_noop("Taux contractuel (art. 1231-5 C. civ.)")
_CAPPED_BELOW = gettext_noop("Taux contractuel (≤ plafond art. XIX.4 CDE)")
_CAPPED_ABOVE = gettext_noop("Taux contractuel %(t)s plafonné (art. XIX.4 CDE) — %(r)s")
_FLOORED_ABOVE = gettext_noop("Taux contractuel (≥ 3 × taux légal, art. L441-10 II)")
_FLOORED_BELOW = gettext_noop(
    "Taux contractuel %(t)s relevé à 3 × taux légal (art. L441-10 II) — %(r)s"
)
# (rule, language, contract rate, period rate and rule, fallback) → the line's
# rate, rule and fallback flag: the same few combinations recur in every
# statement. Keys hold the rates as text: 12 and 12.0 are equal Decimals
# that print differently.
_Adjusted = tuple[Decimal, str, bool]
_ADJUSTED: dict[tuple[str, str | None, str, str, str, bool], _Adjusted] = {}


def _capped(
    cap: r.RatePeriod, contract_rate: Decimal, lang: str | None
) -> r.RatePeriod:
    key = ("cap", lang, str(contract_rate), str(cap.rate), cap.rule, cap.is_fallback)
    found = _ADJUSTED.get(key)
    if found is None:
        if contract_rate <= cap.rate:
            found = (contract_rate, translated(lang, _CAPPED_BELOW), False)
        else:
            rule = translated(lang, _CAPPED_ABOVE) % {
                "t": format_rate(contract_rate),
                "r": cap.rule,
            }
            found = (cap.rate, rule, cap.is_fallback)
        _ADJUSTED[key] = found
    return r.RatePeriod(cap.start, cap.end, *found)


def _floored(
    legal: r.RatePeriod, contract_rate: Decimal, lang: str | None
) -> r.RatePeriod:
    key = (
        "floor",
        lang,
        str(contract_rate),
        str(legal.rate),
        legal.rule,
        legal.is_fallback,
    )
    found = _ADJUSTED.get(key)
    if found is None:
        floor = legal.rate * r.FR_FLOOR_FACTOR
        if contract_rate >= floor:
            found = (contract_rate, translated(lang, _FLOORED_ABOVE), False)
        else:
            rule = translated(lang, _FLOORED_BELOW) % {
                "t": format_rate(contract_rate),
                "r": legal.rule,
            }
            found = (floor, rule, legal.is_fallback)
        _ADJUSTED[key] = found
    return r.RatePeriod(legal.start, legal.end, *found)
