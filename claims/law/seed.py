"""Every rate value from 2015 to the latest publication, each row with its source.

legal-brief §0, §1.3, §1.6, §6.2, §6.5 and §12. The tables start on
1 January 2015 (ECB MRO: on 10 September 2014, the rate in force then): a
Belgian B2B claim can be pursued for 10 years, a French one for 5
(§3.5, §8.5). A date before the first row of a series is refused
(``claims.law.rates.RateUnavailable``), never guessed.

Every row names its own source (publication and date). ``confirmed=False``
(⚠️) marks a value that is computed by the statutory formula rather than
found published, or that no source at hand confirms; it is shown as such
next to every interest line that uses it.

``seed_rates`` (migration 0002) inserts missing rows and never overwrites;
``seed_rates_update`` (the data migration that completed the tables)
``update_or_create``s every row on its natural key (series, start) so an
upgraded database ends up exactly like a fresh one.
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

_ECB_PR = "ECB press release « Monetary policy decisions »"

# ECB main refinancing operations, fixed rate: (effective date, value,
# source, confirmed). The last row stays open (valid_to empty): the brief
# confirms no change up to the decision of 5 Feb 2026 (§0).
_ECB: list[tuple[str, str, str, bool]] = [
    (
        "2014-09-10",
        "0.05",
        f"{_ECB_PR} of 4 Sep 2014, effective 10 Sep 2014; rate on 1 Feb 2016 "
        "confirmed by the EU Official Journal (op.europa.eu, C series)",
        True,
    ),
    (
        "2016-03-16",
        "0.00",
        f"{_ECB_PR} of 10 Mar 2016, effective 16 Mar 2016; 0.00 on 1 Jul 2022: "
        "legal-brief §1.3",
        True,
    ),
    (
        "2022-07-27",
        "0.50",
        f"{_ECB_PR} of 21 Jul 2022, effective 27 Jul 2022 (date: legal-brief "
        "§1.3; value not in the brief ⚠️)",
        False,
    ),
    (
        "2022-09-14",
        "1.25",
        f"{_ECB_PR} of 8 Sep 2022, effective 14 Sep 2022 (not in the brief ⚠️)",
        False,
    ),
    (
        "2022-11-02",
        "2.00",
        f"{_ECB_PR} of 27 Oct 2022, effective 2 Nov 2022 (not in the brief ⚠️)",
        False,
    ),
    (
        "2022-12-21",
        "2.50",
        f"{_ECB_PR} of 15 Dec 2022, effective 21 Dec 2022; 2.50 at 1 Jan 2023: "
        "legal-brief §1.3 (effective date not in the brief ⚠️)",
        False,
    ),
    (
        "2023-02-08",
        "3.00",
        f"{_ECB_PR} of 2 Feb 2023, effective 8 Feb 2023; lalibre.be and "
        "boursier.com (Reuters) 2 Feb 2023",
        True,
    ),
    (
        "2023-03-22",
        "3.50",
        f"{_ECB_PR} of 16 Mar 2023, effective 22 Mar 2023; bourseanalysis.fr",
        True,
    ),
    (
        "2023-05-10",
        "3.75",
        f"{_ECB_PR} of 4 May 2023, effective 10 May 2023; dhnet.be 4 May 2023",
        True,
    ),
    (
        "2023-06-21",
        "4.00",
        f"{_ECB_PR} of 15 Jun 2023, effective 21 Jun 2023; 4.00 at 1 Jul 2023: "
        "legal-brief §1.3 (effective date not in the brief ⚠️)",
        False,
    ),
    (
        "2023-08-02",
        "4.25",
        f"{_ECB_PR} of 27 Jul 2023, effective 2 Aug 2023 (not in the brief ⚠️)",
        False,
    ),
    (
        "2023-09-20",
        "4.50",
        f"{_ECB_PR} of 14 Sep 2023, effective 20 Sep 2023; lalibre.be 14 Sep 2023",
        True,
    ),
    (
        "2024-06-12",
        "4.25",
        f"{_ECB_PR} of 6 Jun 2024; banque-france.fr/en/policy-rates; "
        "sdw.zentral-bank.eu (legal-brief §0)",
        True,
    ),
    (
        "2024-09-18",
        "3.65",
        f"{_ECB_PR} of 12 Sep 2024; banque-france.fr/en/policy-rates (legal-brief §0)",
        True,
    ),
    (
        "2024-10-23",
        "3.40",
        f"{_ECB_PR} of 17 Oct 2024; banque-france.fr/en/policy-rates (legal-brief §0)",
        True,
    ),
    (
        "2024-12-18",
        "3.15",
        f"{_ECB_PR} of 12 Dec 2024; boursorama.com 12/2024 (legal-brief §0)",
        True,
    ),
    (
        "2025-02-05",
        "2.90",
        f"{_ECB_PR} of 30 Jan 2025; boursorama.com 01/2025 (legal-brief §0)",
        True,
    ),
    (
        "2025-03-12",
        "2.65",
        f"{_ECB_PR} of 6 Mar 2025; banque-france.fr/en/policy-rates (legal-brief §0)",
        True,
    ),
    (
        "2025-04-23",
        "2.40",
        f"{_ECB_PR} of 17 Apr 2025; lejournaldesentreprises.com (legal-brief §0)",
        True,
    ),
    (
        "2025-06-11",
        "2.15",
        f"{_ECB_PR} of 5 Jun 2025; seldon-finance.com; unchanged at the decision "
        "of 5 Feb 2026: brusselstimes.com (legal-brief §0)",
        True,
    ),
]

_MB = "Avis SPF Finances (Trésorerie), Moniteur belge"
_SCHOUPS_2016 = "schoups.com (récapitulatif 2013-2016/1)"
_SCHOUPS_2018 = "schoups.com (récapitulatif 2013-2018/2)"
_KLUWER_2022 = (
    "wolterskluwer.com/fr-be « late payment in commercial transactions » "
    "(8 % depuis S2 2016)"
)

# Law of 2 Aug 2002, art. 5 al. 2: (year, half, value, source, confirmed).
# Rows for contracts concluded, renewed or extended from 16 Mar 2013; older
# contracts had 7.5 % until 15 Mar 2015 (art. 14 al. 2, end of transition).
_BE_COMMERCIAL: list[tuple[int, int, str, str, bool]] = [
    (2015, 1, "8.5", f"{_MB}, S1 2015; {_SCHOUPS_2016}", True),
    (2015, 2, "8.5", f"{_MB}, S2 2015; {_SCHOUPS_2016}", True),
    (2016, 1, "8.5", f"{_MB}, S1 2016; {_SCHOUPS_2016}", True),
    (2016, 2, "8.0", f"{_MB}, S2 2016; {_SCHOUPS_2018}; {_KLUWER_2022}", True),
    (
        2017,
        1,
        "8.0",
        f"{_MB} du 30 janv. 2017 (conseiller-juridique.be); {_SCHOUPS_2018}",
        True,
    ),
    (2017, 2, "8.0", f"{_MB}, S2 2017; {_SCHOUPS_2018}", True),
    (2018, 1, "8.0", f"{_MB}, S1 2018; {_SCHOUPS_2018}", True),
    (2018, 2, "8.0", f"{_MB} du 25 juil. 2018 (aquo.be); {_SCHOUPS_2018}", True),
    (2019, 1, "8.0", f"{_MB}, S1 2019; {_KLUWER_2022}", True),
    (2019, 2, "8.0", f"{_MB}, S2 2019; {_KLUWER_2022}", True),
    (2020, 1, "8.0", f"{_MB}, S1 2020; phc-expert.be; {_KLUWER_2022}", True),
    (2020, 2, "8.0", f"{_MB}, S2 2020; phc-expert.be; {_KLUWER_2022}", True),
    (2021, 1, "8.0", f"{_MB}, S1 2021; phc-expert.be; {_KLUWER_2022}", True),
    (2021, 2, "8.0", f"{_MB}, S2 2021; {_KLUWER_2022}", True),
    (2022, 1, "8.0", f"{_MB}, S1 2022; {_KLUWER_2022}", True),
    (2022, 2, "8.0", f"{_MB}, S2 2022; {_KLUWER_2022}", True),
    (2023, 1, "10.5", f"{_MB}, S1 2023; lydian.be (legal-brief §1.3)", True),
    (2023, 2, "12.0", f"{_MB}, S2 2023; avocation.be (legal-brief §1.3)", True),
    (2024, 1, "12.5", f"{_MB}, S1 2024; medenam.be/?p=182 (legal-brief §1.3)", True),
    (
        2024,
        2,
        "12.5",
        f"{_MB}, S2 2024; blog.forumforthefuture.be (legal-brief §1.3)",
        True,
    ),
    (
        2025,
        1,
        "11.5",
        f"{_MB}, S1 2025; leuropeinfo.eu/?p=1197 (legal-brief §1.3)",
        True,
    ),
    (2025, 2, "10.5", f"{_MB}, S2 2025; axiris-fiduciaire.be (legal-brief §1.3)", True),
    (
        2026,
        1,
        "10.5",
        f"{_MB}, S1 2026; axiris-fiduciaire.be; embuild.be (legal-brief §1.3)",
        True,
    ),
]

# Legal interest rate, civil and commercial matters (law of 5 May 1865,
# art. 2 §1), fixed per calendar year: (year, value, source, confirmed).
_KLUWER_LEGAL = "immospector.kluwer.be 1 Feb 2023 (tableau 2008-2023)"
_BE_LEGAL: list[tuple[int, str, str, bool]] = [
    (2015, "2.50", f"{_MB}, janv. 2015; {_KLUWER_LEGAL}", True),
    (2016, "2.25", f"{_MB}, janv. 2016; {_KLUWER_LEGAL}", True),
    (
        2017,
        "2.00",
        f"{_MB}, janv. 2017; conseiller-juridique.be; {_KLUWER_LEGAL}",
        True,
    ),
    (2018, "2.00", f"{_MB} du 11 janv. 2018 (aquo.be); {_KLUWER_LEGAL}", True),
    (2019, "2.00", f"{_MB}, janv. 2019; {_KLUWER_LEGAL}", True),
    (2020, "1.75", f"{_MB}, janv. 2020; {_KLUWER_LEGAL}", True),
    (2021, "1.75", f"{_MB}, janv. 2021; {_KLUWER_LEGAL}", True),
    (2022, "1.50", f"{_MB}, janv. 2022; {_KLUWER_LEGAL}", True),
    (2023, "5.25", f"{_MB}, janv. 2023; {_KLUWER_LEGAL}", True),
    (
        2024,
        "5.75",
        f"{_MB}, janv. 2024; leuropeinfo.eu/?p=1197 (legal-brief §1.6)",
        True,
    ),
    (2025, "4.50", f"{_MB}, janv. 2025; axiris-fiduciaire.be (legal-brief §1.6)", True),
    (
        2026,
        "4.50",
        f"{_MB}, janv. 2026; axiris-fiduciaire.be; embuild.be (legal-brief §1.6)",
        True,
    ),
]

# French legal interest rate, art. L313-2 and D313-1-A C. mon. fin., fixed
# per half-year by arrêté: (year, half, creditor private person, all other
# cases, source, confirmed).
_ARR = "Arrêté relatif à la fixation du taux de l'intérêt légal"
_AEC = "aeccompta.com (tableau 2015-2020)"
_FTR = "francetransactions.com (tableau 2018-2024)"
_FR_LEGAL: list[tuple[int, int, str, str, str, bool]] = [
    (2015, 1, "4.06", "0.93", f"{_ARR}, JORF déc. 2014; {_AEC}", True),
    (2015, 2, "4.29", "0.99", f"{_ARR}, JORF juin 2015; {_AEC}", True),
    (
        2016,
        1,
        "4.54",
        "1.01",
        f"{_ARR} du 23 déc. 2015, JORF du 27 déc. 2015 (onb-france.com); {_AEC}",
        True,
    ),
    (2016, 2, "4.35", "0.93", f"{_ARR}, JORF juin 2016; {_AEC}", True),
    (2017, 1, "4.16", "0.90", f"{_ARR}, JORF déc. 2016; {_AEC}; efl.fr", True),
    (2017, 2, "3.94", "0.90", f"{_ARR}, JORF juin 2017; efl.fr; {_AEC}", True),
    (
        2018,
        1,
        "3.73",
        "0.89",
        f"{_ARR} du 28 déc. 2017, JORF du 30 déc. 2017 (bpifrance-creation.fr; "
        "francetransactions.com)",
        True,
    ),
    (
        2018,
        2,
        "3.60",
        "0.88",
        f"{_ARR} du 27 juin 2018, JORF du 28 juin 2018 (veegee.fr; sonomag.fr)",
        True,
    ),
    (
        2019,
        1,
        "3.40",
        "0.86",
        f"{_ARR} du 21 déc. 2018, JORF n°0302 du 30 déc. 2018 (legifiscal.fr; "
        "eyschen-avocat.fr)",
        True,
    ),
    (2019, 2, "3.26", "0.87", f"{_ARR}, JORF juin 2019; {_FTR}; {_AEC}", True),
    (2020, 1, "3.15", "0.87", f"{_ARR}, JORF déc. 2019; {_FTR}; {_AEC}", True),
    (2020, 2, "3.11", "0.84", f"{_ARR}, JORF juin 2020; {_FTR}", True),
    (
        2021,
        1,
        "3.14",
        "0.79",
        f"{_ARR}, JORF déc. 2020; {_FTR}; dandrel-avocats.fr",
        True,
    ),
    (
        2021,
        2,
        "3.12",
        "0.76",
        f"{_ARR}, JORF juin 2021; dandrel-avocats.fr; {_FTR}",
        True,
    ),
    (2022, 1, "3.13", "0.76", f"{_ARR}, JORF déc. 2021; {_FTR}", True),
    (
        2022,
        2,
        "3.15",
        "0.77",
        f"{_ARR}, JORF juin 2022; {_FTR}; notaires2normandie.com",
        True,
    ),
    (
        2023,
        1,
        "4.47",
        "2.06",
        f"{_ARR} du 26 déc. 2022, JORF du 29 déc. 2022 (sonomag.fr; "
        "legal.tricoteuses.fr JORFARTI000046829012)",
        True,
    ),
    (
        2023,
        2,
        "6.82",
        "4.22",
        f"{_ARR} du 27 juin 2023 (NOR ECOT2317028A), JORF n°0150 du 30 juin 2023 "
        "(idcite.com; legifiscal.fr)",
        True,
    ),
    (
        2024,
        1,
        "8.01",
        "5.07",
        f"{_ARR}, JORF déc. 2023; bpifrance-creation.fr (legal-brief §6.5)",
        True,
    ),
    (
        2024,
        2,
        "8.16",
        "4.92",
        f"{_ARR}, JORF juin 2024; bpifrance-creation.fr; avencia-eca.fr (legal-brief §6.5)",
        True,
    ),
    (
        2025,
        1,
        "7.21",
        "3.71",
        f"{_ARR} du 17 déc. 2024; bpifrance-creation.fr (legal-brief §6.5)",
        True,
    ),
    (
        2025,
        2,
        "6.65",
        "2.76",
        f"{_ARR} du 19 juin 2025 (NOR ECOT2516925A), JORF du 24 juin 2025; ksca.fr "
        "(legal-brief §6.5)",
        True,
    ),
    (
        2026,
        1,
        "6.67",
        "2.62",
        f"{_ARR} du 15 déc. 2025, JORF n°0302 du 26 déc. 2025; juriblio.fr "
        "(legal-brief §6.5)",
        True,
    ),
]

# Half-years whose ECB + 10 rate is confirmed by a publication (§6.2).
_FR_B2B_PUBLISHED = {(2024, 2): "exeoffice.eu (legal-brief §6.2)"}


def _half(year: int, half: int) -> tuple[date, date]:
    if half == 1:
        return date(year, 1, 1), date(year, 6, 30)
    return date(year, 7, 1), date(year, 12, 31)


def _ecb_values() -> list[RateValue]:
    out: list[RateValue] = []
    for i, (start, value, src, ok) in enumerate(_ECB):
        nxt = _ECB[i + 1][0] if i + 1 < len(_ECB) else None
        end = date.fromisoformat(nxt) - timedelta(days=1) if nxt else None
        out.append(
            RateValue(ECB_MRO, date.fromisoformat(start), Decimal(value), end, src, ok)
        )
    return out


def _fr_b2b_values(ecb: list[RateValue]) -> list[RateValue]:
    """Art. L441-10 II C. com.: MRO in force on 1 Jan / 1 Jul + 10 points.

    Computed from the ECB rows above for every half-year from S1 2015 to the
    last half-year with a published French legal rate; ``confirmed`` only
    where a publication states the result and the MRO row is confirmed.
    """
    out: list[RateValue] = []
    last_year, last_half = _FR_LEGAL[-1][0], _FR_LEGAL[-1][1]
    for year in range(2015, last_year + 1):
        for half in (1, 2):
            if (year, half) > (last_year, last_half):
                break
            lo, hi = _half(year, half)
            mro = next(v for v in reversed(ecb) if v.valid_from <= lo)
            published = _FR_B2B_PUBLISHED.get((year, half))
            src = (
                f"Art. L441-10 II C. com.: MRO {mro.value} % en vigueur le "
                f"{lo:%d/%m/%Y} + 10 points"
            )
            if published:
                src += f"; {published}"
            else:
                src += " (calculé ⚠️)"
            out.append(
                RateValue(
                    FR_B2B,
                    lo,
                    mro.value + Decimal("10"),
                    hi,
                    src,
                    bool(published) and mro.confirmed,
                )
            )
    return out


def seed_values() -> list[RateValue]:
    """The rate tables as plain values (no database)."""
    ecb = _ecb_values()
    out = list(ecb)
    for year, half, value, src, ok in _BE_COMMERCIAL:
        lo, hi = _half(year, half)
        out.append(RateValue(BE_COMMERCIAL, lo, Decimal(value), hi, src, ok))
    out += _fr_b2b_values(ecb)
    for year, half, private, other, src, ok in _FR_LEGAL:
        lo, hi = _half(year, half)
        out.append(RateValue(FR_LEGAL_PRIVATE, lo, Decimal(private), hi, src, ok))
        out.append(RateValue(FR_LEGAL_OTHER, lo, Decimal(other), hi, src, ok))
    for year, value, src, ok in _BE_LEGAL:
        out.append(
            RateValue(
                BE_LEGAL, date(year, 1, 1), Decimal(value), date(year, 12, 31), src, ok
            )
        )
    return out


def seed_rates(apps: Any, schema_editor: Any) -> None:
    """Data migration body (0002): insert missing values, keep the operator's edits."""
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


def seed_rates_update(apps: Any, schema_editor: Any) -> None:
    """Data migration body: complete the tables on an existing database.

    ``update_or_create`` on the natural key (series, first day): missing rows
    are added and seeded rows get their own source and ⚠️ flag. Rows the
    operator added for periods not listed here (e.g. a newly published
    half-year) are left alone. Running it twice changes nothing.
    """
    rate_model = apps.get_model("claims", "Rate")
    for v in seed_values():
        rate_model.objects.update_or_create(
            kind=v.kind,
            valid_from=v.valid_from,
            defaults={
                "valid_to": v.valid_to,
                "value": v.value,
                "source": v.source,
                "confirmed": v.confirmed,
            },
        )
