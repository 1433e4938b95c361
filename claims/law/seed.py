"""Every rate value of the legal brief (§0, §1.3, §6.2), with its source.

``confirmed=False`` marks values the brief computed rather than found
published (⚠️). ``seed_rates`` is called by a thin data migration and never
overwrites a value the operator already edited in the admin.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from .rates import BE_COMMERCIAL
from .rates import BE_LEGAL
from .rates import ECB_MRO
from .rates import FR_B2B
from .rates import FR_LEGAL_OTHER
from .rates import FR_LEGAL_PRIVATE
from .rates import RateValue

_ECB_SRC = "banque-france.fr/en/policy-rates; sdw.zentral-bank.eu"
_FR_LEGAL_SRC = "bpifrance-creation.fr; ksca.fr; juriblio.fr (arrêté 15 Dec 2025)"

# (effective date, value, source, confirmed) — legal-brief §0 "ECB MRO rate".
_ECB = [
    ("2023-09-20", "4.50", _ECB_SRC + " (start date not in the brief ⚠️)", False),
    ("2024-06-12", "4.25", _ECB_SRC, True),
    ("2024-09-18", "3.65", _ECB_SRC, True),
    ("2024-10-23", "3.40", _ECB_SRC, True),
    ("2024-12-18", "3.15", _ECB_SRC + "; boursorama.com 12/2024", True),
    ("2025-02-05", "2.90", _ECB_SRC + "; boursorama.com 01/2025", True),
    ("2025-03-12", "2.65", _ECB_SRC, True),
    ("2025-04-23", "2.40", _ECB_SRC + "; lejournaldesentreprises.com", True),
    ("2025-06-11", "2.15", _ECB_SRC + "; seldon-finance.com; brusselstimes.com", True),
]
# Half-yearly series: (year, half, value, source, confirmed).
_BE_COMMERCIAL = [
    (2023, 1, "10.5", "lydian.be", True),
    (2023, 2, "12.0", "avocation.be", True),
    (2024, 1, "12.5", "medenam.be/?p=182", True),
    (2024, 2, "12.5", "blog.forumforthefuture.be", True),
    (2025, 1, "11.5", "leuropeinfo.eu/?p=1197", True),
    (2025, 2, "10.5", "axiris-fiduciaire.be", True),
    (2026, 1, "10.5", "axiris-fiduciaire.be; embuild.be", True),
]
_FR_B2B = [
    (2024, 1, "14.50", "L441-10: ECB 4.50 + 10 (computed)", False),
    (2024, 2, "14.25", "L441-10; exeoffice.eu", True),
    (2025, 1, "13.15", "L441-10: ECB 3.15 + 10 (computed)", False),
    (2025, 2, "12.15", "L441-10: ECB 2.15 + 10 (computed)", False),
    (2026, 1, "12.15", "L441-10: ECB 2.15 + 10 (computed)", False),
]
_FR_LEGAL = [  # (year, half, private person, other cases)
    (2024, 1, "8.01", "5.07"),
    (2024, 2, "8.16", "4.92"),
    (2025, 1, "7.21", "3.71"),
    (2025, 2, "6.65", "2.76"),
    (2026, 1, "6.67", "2.62"),
]
_BE_LEGAL = [
    (2024, "5.75", "leuropeinfo.eu/?p=1197"),
    (2025, "4.5", "axiris-fiduciaire.be"),
    (2026, "4.5", "axiris-fiduciaire.be; embuild.be"),
]


def _half(year: int, half: int) -> tuple[date, date]:
    if half == 1:
        return date(year, 1, 1), date(year, 6, 30)
    return date(year, 7, 1), date(year, 12, 31)


def seed_values() -> list[RateValue]:
    """The legal brief's rate table as plain values."""
    out: list[RateValue] = []
    for i, (start, value, src, ok) in enumerate(_ECB):
        nxt = _ECB[i + 1][0] if i + 1 < len(_ECB) else None
        end = date.fromisoformat(nxt) - timedelta(days=1) if nxt else None
        out.append(
            RateValue(ECB_MRO, date.fromisoformat(start), Decimal(value), end, src, ok)
        )
    for kind, rows in ((BE_COMMERCIAL, _BE_COMMERCIAL), (FR_B2B, _FR_B2B)):
        for year, half, value, src, ok in rows:
            lo, hi = _half(year, half)
            out.append(RateValue(kind, lo, Decimal(value), hi, src, ok))
    for year, half, private, other in _FR_LEGAL:
        lo, hi = _half(year, half)
        out.append(RateValue(FR_LEGAL_PRIVATE, lo, Decimal(private), hi, _FR_LEGAL_SRC))
        out.append(RateValue(FR_LEGAL_OTHER, lo, Decimal(other), hi, _FR_LEGAL_SRC))
    for year, value, src in _BE_LEGAL:
        out.append(
            RateValue(
                BE_LEGAL, date(year, 1, 1), Decimal(value), date(year, 12, 31), src
            )
        )
    return out


def seed_rates(apps: Any, schema_editor: Any) -> None:
    """Data migration body: insert missing values, keep the operator's edits."""
    rate_model = apps.get_model("claims", "Rate")
    for v in seed_values():
        rate_model.objects.get_or_create(
            kind=v.kind,
            valid_from=v.valid_from,
            defaults={
                "valid_to": v.valid_to,
                "value": v.value,
                "source": v.source,
                "confirmed": v.confirmed,
            },
        )
