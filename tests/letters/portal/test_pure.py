"""Pure helpers: instalment split, EPC payload, magic bytes (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims.law.plans import add_months
from claims.law.plans import split_amount
from letters.portal.uploads import sniff


def test_split_is_exact_to_the_cent_and_front_loads_the_remainder():
    # 1815.00 / 7 = 259.2857… → 259.28 × 7 = 1814.96, 4 cents left for the first four
    schedule = split_amount(Decimal("1815.00"), 7, first_due=dt.date(2026, 1, 31))
    amounts = [s.amount for s in schedule]
    assert amounts == [Decimal("259.29")] * 4 + [Decimal("259.28")] * 3
    assert sum(amounts) == Decimal("1815.00")
    assert [s.due_on for s in schedule][:3] == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
    ]


def test_split_refuses_nothing_to_split():
    with pytest.raises(ValueError, match="count"):
        split_amount(Decimal("100.00"), 0, first_due=dt.date(2026, 1, 1))
    with pytest.raises(ValueError, match="positive"):
        split_amount(Decimal("0.00"), 2, first_due=dt.date(2026, 1, 1))


def test_add_months_crosses_the_year():
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", ("pdf", "application/pdf")),
        (b"\x89PNG\r\n\x1a\n\0\0", ("png", "image/png")),
        (b"\xff\xd8\xff\xe0\0\x10JFIF", ("jpg", "image/jpeg")),
        (b"<html><script>", None),
        (b"PK\x03\x04", None),
        (b"GIF89a", None),
    ],
)
def test_sniff_accepts_only_pdf_png_jpeg(head, expected):
    assert sniff(head) == expected


def test_the_link_qr_is_an_svg():
    from letters.portal.qr import portal_link_qr_svg

    assert portal_link_qr_svg("https://example.test/p/t/abc/").startswith("<svg")
