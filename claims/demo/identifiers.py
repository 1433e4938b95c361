"""Identifiers with valid check digits, for demo data and tests.

BCE/KBO (mod 97), SIREN/SIRET (Luhn), VAT keys, IBAN (ISO 13616 mod 97-10) and
ISO 11649 RF creditor references; each mirrors what ``claims.ledger.validators`` checks.
"""

from __future__ import annotations

import random

from stdnum import luhn


def be_enterprise_number(rng: random.Random) -> str:
    """A Belgian BCE/KBO number ``0xxx.xxx.xxx``: the last two digits are
    97 − (first eight mod 97)."""
    base = rng.randrange(2_000_000, 9_999_999)  # leading 0 makes eight digits
    check = 97 - base % 97
    digits = f"0{base:07d}{check:02d}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def be_vat(enterprise_number: str) -> str:
    return "BE" + enterprise_number.replace(".", "")


def fr_siren(rng: random.Random) -> str:
    """A SIREN: eight digits and a Luhn check digit."""
    base = f"{rng.randrange(10_000_000, 99_999_999)}"
    return base + luhn.calc_check_digit(base)


def fr_siret(siren: str, rng: random.Random) -> str:
    """A SIRET: SIREN + four-digit establishment number + Luhn digit over 14."""
    base = f"{siren}{rng.randrange(1, 99):04d}"
    return base + luhn.calc_check_digit(base)


def fr_vat(siren: str) -> str:
    """French VAT number: key = (12 + 3 × (SIREN mod 97)) mod 97."""
    key = (12 + 3 * (int(siren) % 97)) % 97
    return f"FR{key:02d}{siren}"


def _iban_check(country: str, bban: str) -> str:
    """ISO 13616 check digits: 98 − (BBAN + country + '00' mod 97)."""
    rearranged = bban + country + "00"
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def be_iban(rng: random.Random, bank: str = "") -> str:
    """Belgian IBAN: bank (3) + account (7) + national mod-97 key (2)."""
    bank = bank or rng.choice(["001", "068", "310", "363", "539", "732", "751"])
    account = f"{rng.randrange(0, 9_999_999):07d}"
    key = int(bank + account) % 97 or 97
    bban = f"{bank}{account}{key:02d}"
    return f"BE{_iban_check('BE', bban)}{bban}"


def fr_iban(rng: random.Random) -> str:
    """French IBAN: bank (5) + branch (5) + account (11) + RIB key (2)."""
    bank = rng.choice(["30004", "30002", "10278", "20041", "30003", "17806"])
    branch = f"{rng.randrange(0, 99_999):05d}"
    account = f"{rng.randrange(0, 10**11):011d}"
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{key:02d}"
    return f"FR{_iban_check('FR', bban)}{bban}"


def rf_reference(reference: str) -> str:
    """ISO 11649 creditor reference ``RFkk…`` (mod 97-10 over the reference)."""
    body = "".join(ch for ch in reference.upper() if ch.isalnum())
    numeric = "".join(str(int(ch, 36)) for ch in body + "RF00")
    return f"RF{98 - int(numeric) % 97:02d}{body}"
