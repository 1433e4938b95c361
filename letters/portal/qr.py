"""EPC QR code ("SEPA credit transfer" QR, EPC069-12) for the exact amount due.

Uses ``letters.payment`` when the letters area provides it; otherwise builds
the payload here. Version 002 lets the BIC be empty inside the EEA.
"""

from __future__ import annotations

from decimal import Decimal

import segno

try:  # the letters area's implementation wins once merged
    from letters.payment import epc_payload as _letters_payload  # type: ignore[import-not-found]
    from letters.payment import epc_qr_svg as _letters_svg  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the merge
    _letters_payload = None
    _letters_svg = None


def epc_payload(
    *, name: str, iban: str, amount: Decimal, reference: str, bic: str = ""
) -> str:
    """The EPC069-12 text: BCD/002/1/SCT/BIC/name/IBAN/EUR amount/purpose/reference.

    ``reference`` goes in the structured remittance line (Belgian OGM or RF).
    """
    if amount <= 0 or amount > Decimal("999999999.99"):
        raise ValueError("EPC amount must be between 0.01 and 999999999.99")
    lines = [
        "BCD",
        "002",
        "1",  # UTF-8
        "SCT",
        bic.strip(),
        name.strip()[:70],
        iban.replace(" ", "").upper(),
        f"EUR{amount.quantize(Decimal('0.01'))}",
        "",  # purpose
        reference.strip()[:35],
    ]
    return "\n".join(lines)


def epc_qr_svg(payload: str) -> str:
    """An inline SVG of ``payload`` (error correction M as EPC069-12 asks)."""
    return segno.make(payload, error="m", micro=False).svg_inline(scale=4)


def payment_qr_svg(
    *, name: str, iban: str, amount: Decimal, reference: str, bic: str = ""
) -> str:
    if _letters_payload is not None and _letters_svg is not None:
        try:
            return _letters_svg(
                _letters_payload(
                    name=name, iban=iban, amount=amount, reference=reference, bic=bic
                )
            )
        except TypeError:  # different signature: fall back to ours
            pass
    return epc_qr_svg(
        epc_payload(name=name, iban=iban, amount=amount, reference=reference, bic=bic)
    )


def portal_link_qr_svg(url: str) -> str:
    """QR of the debtor's portal link, for paper letters (next to the short code)."""
    return segno.make(url, error="m", micro=False).svg_inline(scale=3)
