"""Letter rendering benchmark: ``python -m bench.letters``.

Prints the median warm render time of a two-page formal notice (template +
WeasyPrint, QR code included), the floor (WeasyPrint rendering a one-line page
in the same process) and their ratio, plus documents per second. No database.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recouvrement.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()


def sample_context() -> dict:
    from claims.law.types import FeeLine
    from claims.law.types import InterestPeriod
    from claims.law.types import InvoiceLine
    from claims.law.types import Statement
    from letters.context import Parties
    from letters.context import letter_context

    invoices = tuple(
        InvoiceLine(
            f"F-2026-{n:03d}",
            date(2026, 1, n),
            date(2026, 2, n),
            Decimal("1210.00"),
            Decimal("0.00"),
            Decimal("1210.00"),
            description="Fournitures de boulangerie",
        )
        for n in range(1, 9)
    )
    periods = tuple(
        InterestPeriod(
            i.number,
            date(2026, 2, 15),
            date(2026, 3, 31),
            45,
            Decimal("1210.00"),
            Decimal("10.5"),
            Decimal("15.66"),
            "Loi du 2 août 2002, art. 5 — taux S1 2026",
        )
        for i in invoices
    )
    fees = tuple(
        FeeLine(
            "Indemnité forfaitaire",
            Decimal("40.00"),
            "Loi du 2 août 2002, art. 6",
            i.number,
        )
        for i in invoices
    )
    statement = Statement(
        at=date(2026, 4, 1),
        currency="EUR",
        invoices=invoices,
        interest_periods=periods,
        fees=fees,
        allocations=(),
        principal=Decimal("9680.00"),
        principal_due=Decimal("9680.00"),
        interest=Decimal("125.28"),
        interest_due=Decimal("125.28"),
        costs=Decimal("320.00"),
        costs_due=Decimal("320.00"),
        paid=Decimal("0.00"),
        waived=Decimal("0.00"),
        credit=Decimal("0.00"),
        total_due=Decimal("10125.28"),
    )
    parties = Parties(
        "Boulangerie Dumont",
        "SRL",
        ("Rue Léopold 12", "4000 Liège"),
        "BE",
        "0403.170.701",
        "BE0403170701",
        "compta@dumont.test",
        "+32 4 222 33 44",
        "BE68539007547034",
        "GKCCBEBB",
        "Liège",
        "Client SA",
        ("Boulevard d'Avroy 1", "4000 Liège"),
        "BE",
        "business",
        "0202.239.951",
        "C-2026-0042",
        "+++123/4567/89002+++",
    )
    return letter_context(
        kind="formal_notice",
        parties=parties,
        statement=statement,
        at=date(2026, 4, 1),
        language="fr",
    )


def _median_ms(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(runs: int = 20) -> None:
    _setup()
    from letters.rendering import html_to_pdf
    from letters.rendering import render_html

    def notice() -> bytes:
        return html_to_pdf(
            render_html(
                "letters/pdf/formal_notice.html", sample_context(), language="fr"
            )
        )

    def floor() -> bytes:
        return html_to_pdf("<p>x</p>")

    import subprocess
    import tempfile

    pdf = notice()  # warm-up (fonts, templates)
    floor()
    pages = "?"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        info = subprocess.run(
            ["pdfinfo", tmp.name], capture_output=True, text=True, check=False
        ).stdout
        pages = next(
            (ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages")), "?"
        )
    notice_ms = _median_ms(notice, runs)
    floor_ms = _median_ms(floor, runs)
    out = sys.stdout
    out.write(f"formal notice ({pages} pages): median warm render {notice_ms:.1f} ms\n")
    out.write(f"floor (one-line page):        median warm render {floor_ms:.1f} ms\n")
    out.write(
        f"ratio: {notice_ms / floor_ms:.1f}x · {1000 / notice_ms:.1f} documents/s\n"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)


def run(n_claims: int, runs: int = 20) -> list[dict]:
    """Bench contract (``python -m bench``): warm formal notice vs one-line page.

    No database: the figure does not depend on the book's size.
    """
    from letters.rendering import html_to_pdf
    from letters.rendering import render_html

    def notice() -> bytes:
        return html_to_pdf(
            render_html(
                "letters/pdf/formal_notice.html", sample_context(), language="fr"
            )
        )

    def floor() -> bytes:
        return html_to_pdf("<p>x</p>")

    runs = runs if n_claims >= 1000 else 3
    notice()  # warm-up (fonts, templates)
    floor()
    notice_s = _median_ms(notice, runs) / 1000
    floor_s = _median_ms(floor, runs) / 1000
    # The process's own CPU time too: on a shared machine the wall clock also
    # counts the time other jobs held the core.
    cpu = []
    for _ in range(runs):
        started = time.process_time()
        notice()
        cpu.append(time.process_time() - started)
    return [
        {
            "measurement": "formal notice PDF, warm render",
            "median": notice_s,
            "floor": floor_s,
            "cpu_median": statistics.median(cpu),
            "runs": runs,
            "target": "<= 150 ms",
            "met": notice_s <= 0.150,
        }
    ]
