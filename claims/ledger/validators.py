"""Validation of identifiers: enterprise numbers, VAT numbers, IBAN/BIC, OGM.

Each validator returns the *normalised* value so that services store one
canonical spelling, and raises ``ValidationError`` with a message in the
user's language otherwise. Check digits are verified with python-stdnum and
schwifty; the Belgian structured communication (OGM) with modulo 97.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import BIC
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import exceptions as stdnum_exc
from stdnum.be import vat as be_vat
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva


def normalize_enterprise_number(value: str, country: str) -> str:
    """BE: 10-digit BCE/KBO number (0xxx.xxx.xxx); FR: 9-digit SIREN or 14-digit SIRET."""
    raw = (value or "").strip()
    if not raw:
        return ""
    if country == "BE":
        try:
            number = be_vat.validate(raw)
        except stdnum_exc.ValidationError as exc:
            raise ValidationError(
                _("Numéro d'entreprise belge (BCE/KBO) invalide : %(v)s"),
                code="invalid_enterprise_number",
                params={"v": raw},
            ) from exc
        return f"{number[:4]}.{number[4:7]}.{number[7:]}"
    if country == "FR":
        compact = "".join(ch for ch in raw if ch.isdigit())
        if len(compact) == 9 and fr_siren.is_valid(compact):
            return compact
        if len(compact) == 14 and fr_siret.is_valid(compact):
            return compact
        raise ValidationError(
            _("Numéro SIREN (9 chiffres) ou SIRET (14 chiffres) invalide : %(v)s"),
            code="invalid_enterprise_number",
            params={"v": raw},
        )
    return raw


def normalize_vat_number(value: str) -> str:
    """Return the compact EU VAT number (``BE0403170701``), check digits verified."""
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        if raw.upper().startswith("FR"):
            return "FR" + fr_tva.validate(raw)
        if raw.upper().startswith("BE"):
            return "BE" + be_vat.validate(raw)
        return eu_vat.validate(raw)
    except stdnum_exc.ValidationError as exc:
        raise ValidationError(
            _("Numéro de TVA invalide : %(v)s"), code="invalid_vat", params={"v": raw}
        ) from exc


def normalize_iban(value: str) -> str:
    """Return the compact IBAN (no spaces, upper case) after the mod-97 check."""
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        return IBAN(raw).compact
    except SchwiftyException as exc:
        raise ValidationError(
            _(
                "IBAN invalide : %(v)s (vérifiez le pays, la longueur et les chiffres de contrôle)"
            ),
            code="invalid_iban",
            params={"v": raw},
        ) from exc


def normalize_bic(value: str) -> str:
    """Return the BIC in upper case after a format and country check."""
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        return str(BIC(raw))
    except SchwiftyException as exc:
        raise ValidationError(
            _("BIC invalide : %(v)s"), code="invalid_bic", params={"v": raw}
        ) from exc


def bic_for_iban(iban: str) -> str:
    """Best-effort BIC lookup for an IBAN (empty string when unknown)."""
    try:
        bic = IBAN(iban).bic
    except SchwiftyException:
        return ""
    return str(bic) if bic else ""


def ogm_digits(value: str) -> str:
    """Digits of a Belgian structured communication, e.g. ``+++010/8068/17183+++``."""
    return "".join(ch for ch in value if ch.isdigit())


def ogm_is_valid(value: str) -> bool:
    """Modulo-97 check of a 12-digit OGM/VCS (remainder 0 is written 97)."""
    digits = ogm_digits(value)
    if len(digits) != 12:
        return False
    check = int(digits[:10]) % 97 or 97
    return check == int(digits[10:])


def ogm_from_number(number: int) -> str:
    """Build the formatted OGM ``+++ddd/dddd/ddddd+++`` from a base of up to 10 digits."""
    if not 0 <= number < 10**10:
        raise ValueError("OGM base must have at most 10 digits")
    base = f"{number:010d}"
    check = int(base) % 97 or 97
    digits = f"{base}{check:02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
