"""QR codes on the portal: the EPC payment QR (letters.payment) and the link QR."""

from __future__ import annotations

from decimal import Decimal

import segno

from letters.payment import epc_payload
from letters.payment import epc_qr


def payment_qr_svg(
    *, name: str, iban: str, amount: Decimal, reference: str, bic: str = ""
) -> str:
    """Inline SVG of the EPC069-12 credit-transfer QR for the exact amount due."""
    payload = epc_payload(
        name=name, iban=iban, amount=amount, bic=bic, reference=reference
    )
    return epc_qr(payload).svg_inline(scale=4)


def portal_link_qr_svg(url: str) -> str:
    """QR of the debtor's portal link, for paper letters (next to the short code)."""
    return segno.make(url, error="m", micro=False).svg_inline(scale=3)
