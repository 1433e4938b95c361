"""The invoices and the interest detail of a PDF letter, printed in blocks of lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from claims.law.types import InterestPeriod
from claims.law.types import InvoiceLine
from letters.templatetags.letters_tags import interest_blocks
from letters.templatetags.letters_tags import invoice_blocks


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


def test_a_long_invoice_number_gets_a_block_per_line():
    lines = _lines(2, 2)
    long = [
        InterestPeriod("FACTURE/2026/BE/0000012345", *line_fields(line))
        for line in _lines(3)
    ]
    blocks = interest_blocks(lines[:2] + long + lines[2:])
    assert [len(block) for block in blocks] == [2, 1, 1, 1, 2]


def line_fields(line: InterestPeriod) -> tuple:
    return (
        line.start,
        line.end,
        line.days,
        line.base,
        line.rate,
        line.amount,
        line.rule,
    )


def test_invoices_that_may_wrap_are_a_block_each():
    def invoice(number: str, description: str = "", credit: bool = False):
        return InvoiceLine(
            number,
            date(2026, 1, 1),
            date(2026, 2, 1),
            Decimal("100.00"),
            Decimal("0.00"),
            Decimal("100.00"),
            is_credit_note=credit,
            description=description,
        )

    invoices = [
        invoice("F-1", "ART-100 x 200"),
        invoice("F-2"),
        invoice("F-3", "Fournitures de boulangerie, livraison hebdomadaire"),
        invoice("F-4", credit=True),
        invoice("FACTURE/2026/BE/0000012345"),
        *(invoice(f"F-{n}") for n in range(5, 15)),
    ]
    blocks = invoice_blocks(invoices)
    assert [line for block in blocks for line in block] == invoices
    assert [len(block) for block in blocks] == [2, 1, 1, 1, 8, 2]
