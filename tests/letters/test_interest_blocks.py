"""The interest detail of a PDF letter, printed in blocks of lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from claims.law.types import InterestPeriod
from letters.templatetags.letters_tags import interest_blocks


def _lines(*counts: int) -> list[InterestPeriod]:
    return [
        InterestPeriod(
            f"F-{n}",
            date(2026, 1, 1 + i),
            date(2026, 1, 2 + i),
            1,
            Decimal("100.00"),
            Decimal("10.5"),
            Decimal("0.03"),
            "Loi du 2 août 2002, art. 5",
        )
        for n, count in enumerate(counts)
        for i in range(count)
    ]


def test_every_line_once_in_order_blocks_of_at_most_eight():
    lines = _lines(3, 3, 3, 1, 12, 2)
    blocks = interest_blocks(lines)
    assert [line for block in blocks for line in block] == lines
    assert all(1 <= len(block) <= 8 for block in blocks)


def test_an_invoice_that_fits_is_never_cut_across_two_blocks():
    blocks = interest_blocks(_lines(3, 3, 3, 1))
    assert [[line.invoice for line in block] for block in blocks] == [
        ["F-0"] * 3 + ["F-1"] * 3,
        ["F-2"] * 3 + ["F-3"],
    ]


def test_an_invoice_longer_than_a_block_is_cut():
    blocks = interest_blocks(_lines(1, 12))
    assert [len(block) for block in blocks] == [1, 8, 4]
