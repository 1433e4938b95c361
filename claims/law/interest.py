"""Late interest: which rate and from when (pure).

Simple interest on the amount including VAT (CJEU C-585/20), day count
actual/365 (practice, ⚠️ legal-brief §1.3), split at every rate-period
boundary and at every payment. Each line is rounded half-up to the cent.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from claims.l10n import format_rate

from . import rates as r
from .calendar import claimable_from
from .fees import round_cent

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
                _("Taux contractuel (loi du 2 août 2002, art. 5)"),
            )
        ]
    if country == "BE":
        if contract_rate is None:
            return r.split_by_period(r.BE_LEGAL, start, end, table)
        return [
            _capped(p, contract_rate)
            for p in r.split_by_period(r.BE_COMMERCIAL, start, end, table)
        ]
    if debtor_kind == "business":
        if contract_rate is None:
            return r.split_by_period(r.FR_B2B, start, end, table)
        return [
            _floored(p, contract_rate)
            for p in r.split_by_period(r.FR_LEGAL_OTHER, start, end, table)
        ]
    if contract_rate is not None:
        return [
            r.RatePeriod(
                start, end, contract_rate, _("Taux contractuel (art. 1231-5 C. civ.)")
            )
        ]
    return r.split_by_period(r.FR_LEGAL_OTHER, start, end, table)


def _capped(cap: r.RatePeriod, contract_rate: Decimal) -> r.RatePeriod:
    if contract_rate <= cap.rate:
        return r.RatePeriod(
            cap.start,
            cap.end,
            contract_rate,
            _("Taux contractuel (≤ plafond art. XIX.4 CDE)"),
        )
    rule = _("Taux contractuel %(t)s plafonné (art. XIX.4 CDE) — %(r)s") % {
        "t": format_rate(contract_rate),
        "r": cap.rule,
    }
    return r.RatePeriod(cap.start, cap.end, cap.rate, rule, cap.is_fallback)


def _floored(legal: r.RatePeriod, contract_rate: Decimal) -> r.RatePeriod:
    floor = legal.rate * r.FR_FLOOR_FACTOR
    if contract_rate >= floor:
        return r.RatePeriod(
            legal.start,
            legal.end,
            contract_rate,
            _("Taux contractuel (≥ 3 × taux légal, art. L441-10 II)"),
        )
    rule = _(
        "Taux contractuel %(t)s relevé à 3 × taux légal (art. L441-10 II) — %(r)s"
    ) % {"t": format_rate(contract_rate), "r": legal.rule}
    return r.RatePeriod(legal.start, legal.end, floor, rule, legal.is_fallback)
