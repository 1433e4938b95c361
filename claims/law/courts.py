"""The French court a letter names for the debtor's seat (pure).

- Business debtor (trader, company): the commercial court of the debtor's
  seat (art. L721-3 C. com.; injonction de payer, art. 1406 CPC; legal brief
  §8). From 1 January 2025, for four years, twelve commercial courts are
  renamed "tribunal des activités économiques" (loi n° 2023-1059 du 20
  novembre 2023, art. 26; arrêté du 5 juillet 2024): the list, with its
  source, is data in ``data/fr_economic_activity_courts.json``.
- Consumer: the tribunal judiciaire of the debtor's domicile (art. 1406 CPC).

The area of each court is that of one or two tribunaux judiciaires; without
a commune-to-court table, a seat is matched only when it is certainly in the
area (the court's own city, or a département a single tribunal judiciaire
covers whole). Otherwise the court is named by its kind and "of your seat".
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "fr_economic_activity_courts.json"

COMMERCIAL = "commercial"  # tribunal de commerce
ECONOMIC = "economic"  # tribunal des activités économiques (2025-2028 trial)
JUDICIAL = "judicial"  # tribunal judiciaire


@dataclass(frozen=True)
class Court:
    kind: str  # COMMERCIAL | ECONOMIC | JUDICIAL
    seat: str  # "" when the court is named only as "the one of your seat"


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("-", " ").replace("'", " ").split())


@lru_cache(maxsize=1)
def economic_courts() -> dict:
    """The data file: courts, trial period and source."""
    return json.loads(DATA.read_text(encoding="utf-8"))


def economic_court_for(city: str, postal_code: str, on: date) -> str:
    """The seat of the tribunal des activités économiques covering a seat in
    ``city`` / ``postal_code`` on ``on``, or "" (none, or not certain)."""
    data = economic_courts()
    if not (
        date.fromisoformat(data["valid_from"])
        <= on
        <= date.fromisoformat(data["valid_to"])
    ):
        return ""
    city_key = _key(city)
    # Paris, Lyon, Marseille: "Paris 11e", "Lyon 3e Arrondissement"...
    city_key = (
        city_key.split(" ")[0]
        if city_key.startswith(("paris", "lyon", "marseille"))
        else city_key
    )
    department = (postal_code or "").strip()[:2]
    for court in data["courts"]:
        if city_key in {_key(a) for a in court["area"]}:
            return court["seat"]
        if department and department in court["departments"]:
            return court["seat"]
    return ""


def fr_competent_court(
    *, debtor_kind: str, city: str, postal_code: str, on: date
) -> Court:
    """The court a French letter names for the debtor's seat on ``on``."""
    if debtor_kind == "consumer":
        return Court(JUDICIAL, "")
    seat = economic_court_for(city, postal_code, on)
    if seat:
        return Court(ECONOMIC, seat)
    return Court(COMMERCIAL, "")
