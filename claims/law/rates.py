"""Dated legal rates and their resolution per day (pure, legal-brief §0, §12).

Rates are data (the ``Rate`` model, seeded from ``claims.law.seed``). This
module resolves which value applies to a day, and applies the documented
fallback when a half-year has no published value — never silently: the
result carries ``is_fallback`` and a rule text saying so.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import ROUND_CEILING
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext
from django.utils.translation import gettext_noop

from claims.l10n import format_date
from claims.l10n import format_rate

from .types import _quick_init

BE_COMMERCIAL = "be_commercial"
BE_LEGAL = "be_legal"
FR_B2B = "fr_b2b"
FR_LEGAL_PRIVATE = "fr_legal_private"
FR_LEGAL_OTHER = "fr_legal_other"
ECB_MRO = "ecb_mro"
HALF_YEARLY = (BE_COMMERCIAL, FR_B2B, FR_LEGAL_PRIVATE, FR_LEGAL_OTHER)
YEARLY = (BE_LEGAL,)

HALF = Decimal("0.5")
BE_MARGIN = Decimal("8")  # law of 2 Aug 2002, art. 5 al. 2: ECB + 8 points
FR_MARGIN = Decimal("10")  # art. L441-10 II C. com.: ECB + 10 points
FR_FLOOR_FACTOR = Decimal("3")  # art. L441-10 II: at least 3 × the legal rate
_ONE_DAY = timedelta(days=1)


class MissingRateError(LookupError):
    """No value and no fallback for a rate series on a day."""


class RateUnavailable(MissingRateError):
    """A day before the first row of a rate series the computation needs.

    The fallback rule (legal-brief §12) only bridges a half-year not yet
    published *after* the last row; before the first row nothing may be
    guessed. Forms, imports, the calculator and the commands turn this into a
    clear validation message (``message``), never a server error.
    """

    def __init__(self, kind: str, day: date, first: date | None = None) -> None:
        self.kind, self.day, self.first = kind, day, first
        super().__init__(f"{kind} {day}")

    @property
    def message(self) -> str:
        """The reason, in the active language (French first)."""
        series = gettext(_SERIES_NAMES.get(self.kind, self.kind))
        if self.first is None:
            return gettext(
                "Aucun taux « %(series)s » n'est enregistré : impossible de calculer "
                "des intérêts au %(day)s."
            ) % {"series": series, "day": f"{self.day:%d/%m/%Y}"}
        return gettext(
            "Date trop ancienne : le %(day)s précède le premier taux « %(series)s » "
            "de la table (%(first)s). Les intérêts ne peuvent pas être calculés."
        ) % {
            "series": series,
            "day": f"{self.day:%d/%m/%Y}",
            "first": f"{self.first:%d/%m/%Y}",
        }

    def __str__(self) -> str:
        return self.message


@_quick_init
@dataclass(frozen=True)
class RateValue:
    """One value of a series over [valid_from, valid_to] (inclusive, open end)."""

    kind: str
    valid_from: date
    value: Decimal  # percent per year
    valid_to: date | None = None
    source: str = ""
    confirmed: bool = True


@_quick_init
@dataclass(frozen=True)
class RatePeriod:
    """A rate applying to every day of [start, end] (both inclusive)."""

    start: date
    end: date
    rate: Decimal
    rule: str
    is_fallback: bool = False


def half_year_bounds(day: date) -> tuple[date, date]:
    if day.month <= 6:
        return date(day.year, 1, 1), date(day.year, 6, 30)
    return date(day.year, 7, 1), date(day.year, 12, 31)


def half_year_label(day: date) -> str:
    """``S1 2026`` (semestre), ``H1 2026`` in Dutch and English."""
    return gettext("S%(n)s %(y)s") % {"n": 1 if day.month <= 6 else 2, "y": day.year}


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The fixing period of ``kind`` containing ``day`` (year or half-year)."""
    if kind in YEARLY:
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return half_year_bounds(day)


def be_commercial_from_ecb(ecb: Decimal) -> Decimal:
    """Law of 2 Aug 2002 art. 5 al. 2: ECB MRO + 8 points, rounded up to 0.5."""
    return ((ecb + BE_MARGIN) / HALF).to_integral_value(ROUND_CEILING) * HALF


class RateTable:
    """All known rate values, looked up per series and day (immutable)."""

    def __init__(self, values: Iterable[RateValue]) -> None:
        by_kind: dict[str, list[RateValue]] = {}
        for v in values:
            by_kind.setdefault(v.kind, []).append(v)
        self._values = {
            k: sorted(vs, key=lambda v: v.valid_from) for k, vs in by_kind.items()
        }
        self._starts = {k: [v.valid_from for v in vs] for k, vs in self._values.items()}
        self._cache: dict[tuple[str, int, int, str | None], RatePeriod] = {}

    def value_on(self, kind: str, day: date) -> RateValue | None:
        """The published value of ``kind`` in force on ``day``, if any."""
        starts = self._starts.get(kind)
        if not starts:
            return None
        i = bisect.bisect_right(starts, day) - 1
        if i < 0:
            return None
        v = self._values[kind][i]
        if v.valid_to is not None and v.valid_to < day:
            return None
        return v

    def first_day(self, kind: str) -> date | None:
        """The first day covered by series ``kind`` (None when it has no row)."""
        starts = self._starts.get(kind)
        return starts[0] if starts else None

    def check_covers(self, kind: str, day: date) -> None:
        """Raise ``RateUnavailable`` when ``day`` is before the first row of ``kind``."""
        first = self.first_day(kind)
        if first is None or day < first:
            raise RateUnavailable(kind, day, first)

    def latest_before(self, kind: str, day: date) -> RateValue | None:
        starts = self._starts.get(kind, [])
        i = bisect.bisect_right(starts, day) - 1
        return self._values[kind][i] if i >= 0 else None

    def period(self, kind: str, day: date) -> RatePeriod:
        """The rate of ``kind`` for the fixing period containing ``day``."""
        return self._period(kind, day, get_language())

    def _period(self, kind: str, day: date, lang: str | None) -> RatePeriod:
        # The rule is worded in the reader's language: one cached entry per
        # language and fixing period (year, and half-year unless yearly).
        key = (kind, day.year, 0 if kind in YEARLY or day.month <= 6 else 1, lang)
        found = self._cache.get(key)
        if found is None:
            self.check_covers(kind, day)
            start, end = period_bounds(kind, day)
            found = self._resolve(kind, start, end)
            self._cache[key] = found
        return found

    def _resolve(self, kind: str, start: date, end: date) -> RatePeriod:
        published = self.value_on(kind, start)
        if published is not None:
            note = ""
            if not published.confirmed:
                computed = "calcul" in published.source.lower()
                note = " " + (
                    gettext("(valeur calculée ⚠️)")
                    if computed
                    else gettext("(valeur non confirmée ⚠️)")
                )
            return RatePeriod(
                start, end, published.value, f"{_label(kind, start)}{note}"
            )
        return self._fallback(kind, start, end)

    def _fallback(self, kind: str, start: date, end: date) -> RatePeriod:
        if kind in (BE_COMMERCIAL, FR_B2B):
            ecb = self.value_on(ECB_MRO, start) or self.latest_before(ECB_MRO, start)
            if ecb is None:
                raise RateUnavailable(ECB_MRO, start, self.first_day(ECB_MRO))
            if kind == BE_COMMERCIAL:
                rate = be_commercial_from_ecb(ecb.value)
                rule = gettext(
                    "taux non publié pour %(p)s : taux de la Banque centrale européenne "
                    "%(ecb)s + 8 points arrondi au demi-point supérieur "
                    "(loi du 2 août 2002, art. 5)"
                ) % {"p": half_year_label(start), "ecb": format_rate(ecb.value)}
            else:
                rate = ecb.value + FR_MARGIN
                rule = gettext(
                    "taux non publié pour %(p)s : taux de la Banque centrale européenne "
                    "%(ecb)s + 10 points (art. L441-10 II C. com.)"
                ) % {"p": half_year_label(start), "ecb": format_rate(ecb.value)}
            return RatePeriod(start, end, rate, rule, is_fallback=True)
        last = self.latest_before(kind, start)
        if last is None:
            raise RateUnavailable(kind, start, self.first_day(kind))
        # No formula exists for legal rates: carry the last published value
        # forward and say so (the operator is warned by check claims.W001).
        rule = gettext("%(l)s non publié : dernier taux connu (%(d)s) reporté") % {
            "l": _label(kind, start),
            "d": format_date(last.valid_from),
        }
        return RatePeriod(start, end, last.value, rule, is_fallback=True)

    def is_published(self, kind: str, day: date) -> bool:
        start, _end = period_bounds(kind, day)
        return self.value_on(kind, start) is not None


_NAMES = {
    BE_COMMERCIAL: gettext_noop("Loi du 2 août 2002, art. 5 — taux"),
    BE_LEGAL: gettext_noop("Taux d'intérêt légal belge (loi du 5 mai 1865)"),
    FR_B2B: gettext_noop(
        "Art. L441-10 II C. com. — taux de la Banque centrale européenne + 10 points"
    ),
    FR_LEGAL_PRIVATE: gettext_noop(
        "Taux légal FR (créancier personne physique), art. L313-2 C. mon. fin."
    ),
    FR_LEGAL_OTHER: gettext_noop(
        "Taux légal FR « autres cas », art. L313-2 C. mon. fin."
    ),
    ECB_MRO: gettext_noop("Banque centrale européenne — taux de refinancement"),
}


# Short names for messages (marked for translation, translated when shown).
_SERIES_NAMES = {
    BE_COMMERCIAL: gettext_noop("taux des transactions commerciales (BE)"),
    BE_LEGAL: gettext_noop("taux d'intérêt légal (BE)"),
    FR_B2B: gettext_noop("taux de la Banque centrale européenne + 10 points (FR)"),
    FR_LEGAL_PRIVATE: gettext_noop("taux légal, créancier particulier (FR)"),
    FR_LEGAL_OTHER: gettext_noop("taux légal, autres cas (FR)"),
    ECB_MRO: gettext_noop("taux de refinancement de la Banque centrale européenne"),
}


def needed_series(
    country: str, debtor_kind: str, contract_rate: Decimal | None = None
) -> tuple[str, ...]:
    """The rate series ``claims.law.interest.rate_periods`` reads for a claim.

    BE B2B: the published rate, unless a contract rate applies; BE B2C: the
    legal rate, or the B2B rate as the cap of a contract rate (art. XIX.4
    CDE); FR B2B: ECB + 10, or the legal rate as the floor of a contract rate
    (art. L441-10 II); FR B2C: the legal rate "autres cas" unless a contract
    rate applies (art. 1231-5 / 1231-6 C. civ.).
    """
    has_rate = contract_rate is not None
    if country == "BE":
        if debtor_kind == "business":
            return () if has_rate else (BE_COMMERCIAL,)
        return (BE_COMMERCIAL,) if has_rate else (BE_LEGAL,)
    if debtor_kind == "business":
        return (FR_LEGAL_OTHER,) if has_rate else (FR_B2B,)
    return () if has_rate else (FR_LEGAL_OTHER,)


def check_interest_computable(
    table: RateTable,
    *,
    country: str,
    debtor_kind: str | None,
    first_interest_day: date,
    contract_rate: Decimal | None = None,
) -> None:
    """Raise ``RateUnavailable`` when interest from ``first_interest_day`` needs
    a rate older than the first row of its series (``debtor_kind`` None: any
    kind of debtor of ``country``, for imports that do not know it yet)."""
    kinds = ("business", "consumer") if debtor_kind is None else (debtor_kind,)
    for kind in kinds:
        for series in needed_series(country, kind, contract_rate):
            start, _end = period_bounds(series, first_interest_day)
            table.check_covers(series, start)


def _label(kind: str, start: date) -> str:
    when = str(start.year) if kind in YEARLY else half_year_label(start)
    return f"{gettext(_NAMES[kind]) if kind in _NAMES else kind} {when}"


def split_by_period(
    kind: str, start: date, end: date, table: RateTable
) -> list[RatePeriod]:
    """The periods of ``kind`` covering [start, end], clipped to it."""
    out: list[RatePeriod] = []
    period, lang, one_day = table._period, get_language(), _ONE_DAY
    day = start
    while day <= end:
        p = period(kind, day, lang)
        hi = p.end if p.end < end else end
        out.append(RatePeriod(day, hi, p.rate, p.rule, p.is_fallback))
        day = hi + one_day
    return out


def missing_rates(today: date, table: RateTable) -> list[str]:
    """Series / periods needed now (current and previous half-year) with no value.

    Used by the system check ``claims.W001`` and the dashboard warning.
    """
    current, _ = half_year_bounds(today)
    previous, _ = half_year_bounds(current - timedelta(days=1))
    missing: list[str] = []
    for day in (previous, current):
        for kind in HALF_YEARLY:
            if not table.is_published(kind, day):
                missing.append(f"{kind} {half_year_label(day)}")
    for day in sorted({previous.replace(month=1), current.replace(month=1)}):
        if not table.is_published(BE_LEGAL, day):
            missing.append(f"{BE_LEGAL} {day.year}")
    if table.value_on(ECB_MRO, today) is None:
        missing.append(f"{ECB_MRO} {today}")
    return missing
