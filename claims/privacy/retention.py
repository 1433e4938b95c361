"""How long personal data of a closed claim are kept. Pure: no ORM, no clock.

Legal basis (domain/legal-brief.md §10 "GDPR points for debt-collection data"):
keep the collection file while collection is ongoing, then only for the
limitation period and the accounting retention period, then delete or
anonymise (pseudonymisation is not deletion — Belgian DPA decision 91/2025).

- Limitation: BE up to 10 years B2B, 1 year goods to consumers; FR 5 years
  between traders (art. L110-4 C. com.), 2 years professional → consumer
  (art. L218-2 C. conso.).
- Accounting/tax retention: FR accounting documents 10 years; BE tax/VAT
  retention 10 years since the law of 20 Nov 2022 (accounting-law supporting
  documents 7 years).

The longest of the two governs, hence 10 years after closing in all four cases
by default. These figures are data: ``settings.RETENTION_YEARS_AFTER_CLOSE``
(env ``RETENTION_YEARS_<BE|FR>_<BUSINESS|CONSUMER>``) overrides them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

DEFAULT_YEARS_AFTER_CLOSE: Mapping[tuple[str, str], int] = {
    ("BE", "business"): 10,  # BE tax/VAT retention 10 y (law 20 Nov 2022)
    ("BE", "consumer"): 10,  # idem; limitation 1 y for goods is shorter
    ("FR", "business"): 10,  # FR accounting documents 10 y (> 5 y L110-4)
    ("FR", "consumer"): 10,  # idem (> 2 y L218-2 C. conso.)
}
FALLBACK_YEARS = 10


def retention_years(
    *, country: str, debtor_kind: str, table: Mapping[tuple[str, str], int]
) -> int:
    """Years to keep personal data after the last claim of a debtor closed."""
    return table.get((country, debtor_kind), FALLBACK_YEARS)


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def subtract_years(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February becomes 28 February."""
    return add_years(day, -years)


def anonymise_on(*, closed_on: date, years: int) -> date:
    """The first day on which a debtor whose last claim closed on ``closed_on``
    must be anonymised."""
    return add_years(closed_on, years)


def is_expired(*, closed_on: date, years: int, today: date) -> bool:
    """True when the retention period after ``closed_on`` is over on ``today``."""
    return today >= anonymise_on(closed_on=closed_on, years=years)
