"""When a claim becomes time-barred (pure; legal-brief §3.5 and §8.5)."""

from __future__ import annotations

from datetime import date


def add_years(day: date, years: int) -> date:
    """Same calendar day ``years`` later (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def prescription_date(
    *,
    country: str,
    debtor_kind: str,
    due_date: date,
    delivery_date: date | None = None,
    goods_sold_to_consumer: bool = False,
) -> tuple[date, str]:
    """The day the invoice's action is time-barred, and the rule applied.

    - BE: 10 years, personal actions (art. 2262bis old C. civ.), from the due
      date; 1 year for goods sold by a merchant to a consumer (art. 2272 al. 2
      old C. civ.), from delivery (else the due date).
    - FR B2B: 5 years (art. L110-4 C. com.) from the due date.
    - FR B2C: 2 years (art. L218-2 C. conso.) from delivery / completion
      (Cass. 1re civ. 19 May 2021), else the due date.
    """
    if country == "BE":
        if debtor_kind == "consumer" and goods_sold_to_consumer:
            return add_years(delivery_date or due_date, 1), "art. 2272 al. 2 C. civ."
        return add_years(due_date, 10), "art. 2262bis §1 C. civ."
    if debtor_kind == "consumer":
        return add_years(delivery_date or due_date, 2), "art. L218-2 C. conso."
    return add_years(due_date, 5), "art. L110-4 C. com."
