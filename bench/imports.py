"""Import benchmarks: ``DATABASE_URL=postgres://… python -m bench.imports``.

1. CAMT.053 with 10,000 credits matched against 100,000 open claims.
2. CSV of 100,000 invoices imported.
Each is printed with its floor (parsing the file alone) and the ratio. Every
write happens in a transaction rolled back at the end: the database is left
as it was (only the schema is migrated first).
"""

from __future__ import annotations

import os
import time
from decimal import Decimal

N_CLAIMS = int(os.environ.get("BENCH_CLAIMS", "100000"))
N_ENTRIES = int(os.environ.get("BENCH_ENTRIES", "10000"))
N_ROWS = int(os.environ.get("BENCH_ROWS", "100000"))


class _Rollback(Exception):
    pass


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recouvrement.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _camt(claims: list[tuple[str, str]]) -> bytes:
    """N_ENTRIES credits: 40 % by OGM, 30 % by invoice number in text, 30 % unknown."""
    parts = []
    for i in range(N_ENTRIES):
        ogm, number = claims[(i * 7919) % len(claims)]
        kind = i % 10
        ref = "".join(ch for ch in ogm if ch.isdigit()) if kind < 4 else ""
        text = f"Facture {number}" if 4 <= kind < 7 else f"Virement {i}"
        rmt = f"<Ustrd>{text}</Ustrd>" + (
            f"<Strd><CdtrRefInf><Ref>{ref}</Ref></CdtrRefInf></Strd>" if ref else ""
        )
        parts.append(
            f'<Ntry><NtryRef>N{i}</NtryRef><Amt Ccy="EUR">{10 + i % 90}.{i % 100:02d}</Amt>'
            "<CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-02-20</Dt></BookgDt>"
            f"<NtryDtls><TxDtls><Refs><AcctSvcrRef>T{i}</AcctSvcrRef></Refs>"
            "<RltdPties><DbtrAcct><Id><IBAN>BE71096123456769</IBAN></Id></DbtrAcct></RltdPties>"
            f"<RmtInf>{rmt}</RmtInf></TxDtls></NtryDtls></Ntry>"
        )
    return (
        '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        "<BkToCstmrStmt><GrpHdr><MsgId>B</MsgId></GrpHdr><Stmt><Id>S</Id>"
        "<Acct><Id><IBAN>BE68539007547034</IBAN></Id></Acct>"
        + "".join(parts)
        + "</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def _csv() -> bytes:
    lines = ["Client;Facture;Date;Echeance;Montant"]
    lines += [
        f"Client {i % 5000} SA;CSV-{i:07d};01/02/2026;03/03/2026;{100 + i % 900},{i % 100:02d}"
        for i in range(N_ROWS)
    ]
    return ("\n".join(lines) + "\n").encode()


def _claims_bulk(creditor: object) -> list[tuple[str, str]]:
    from datetime import date

    from claims.ledger.validators import ogm_from_number
    from claims.models import Claim
    from claims.models import Debtor
    from claims.models import Invoice

    debtors = Debtor.objects.bulk_create(
        Debtor(creditor=creditor, name=f"Débiteur {i}") for i in range(1000)
    )
    claims = Claim.objects.bulk_create(
        (
            Claim(
                creditor=creditor,
                debtor=debtors[i % 1000],
                reference=f"B-{i:07d}",
                structured_reference=ogm_from_number(9_000_000_000 + i),
                principal=Decimal("100.00"),
                balance=Decimal("100.00"),
            )
            for i in range(N_CLAIMS)
        ),
        batch_size=5000,
    )
    Invoice.objects.bulk_create(
        (
            Invoice(
                creditor=creditor,
                claim=c,
                number=f"INV-{i:07d}",
                issue_date=date(2026, 1, 1),
                due_date=date(2026, 1, 31),
                amount=Decimal("100.00"),
            )
            for i, c in enumerate(claims)
        ),
        batch_size=5000,
    )
    return [(c.structured_reference, f"INV-{i:07d}") for i, c in enumerate(claims)]


def _timed(label: str, floor_fn: object, full_fn: object, target: float) -> None:
    t0 = time.perf_counter()
    floor_fn()  # type: ignore[operator]
    floor = time.perf_counter() - t0
    t0 = time.perf_counter()
    outcome = full_fn()  # type: ignore[operator]
    full = time.perf_counter() - t0
    verdict = "OK" if full < target else "OVER TARGET"
    print(
        f"{label}: floor (parse only) {floor:.2f} s, full {full:.2f} s, "
        f"ratio {full / floor:.1f}x, target < {target:.0f} s: {verdict} — {outcome}"
    )


def main() -> None:
    _setup()
    from django.db import transaction

    from claims.money_in.bank import bank_statement_import
    from claims.money_in.formats import camt053
    from claims.money_in.formats import csvfile
    from claims.money_in.invoices import invoices_csv_import
    from tests.factories import CreditorFactory

    try:
        with transaction.atomic():
            creditor = CreditorFactory()
            t0 = time.perf_counter()
            claims = _claims_bulk(creditor)
            print(
                f"setup: {N_CLAIMS} open claims bulk-created in {time.perf_counter() - t0:.1f} s"
            )
            camt = _camt(claims)

            def bank() -> str:
                r = bank_statement_import(
                    creditor=creditor, data=camt, filename="bench.xml"
                )
                return f"{r.total} lines, {r.matched} matched, {r.queued} queued"

            _timed(
                f"CAMT.053 {N_ENTRIES} entries vs {N_CLAIMS} claims",
                lambda: camt053.parse(camt),
                bank,
                10,
            )
            data = _csv()
            mapping = {
                "debtor_name": "Client",
                "invoice_number": "Facture",
                "issue_date": "Date",
                "due_date": "Echeance",
                "amount": "Montant",
            }

            def csv_import() -> str:
                return f"{len(invoices_csv_import(creditor=creditor, data=data, mapping=mapping))} claims"

            _timed(
                f"CSV {N_ROWS} invoices",
                lambda: csvfile.parse(data, mapping),
                csv_import,
                60,
            )
            raise _Rollback
    except _Rollback:
        pass


if __name__ == "__main__":
    main()


def run(n_claims: int) -> list[dict]:
    """Bench contract (``python -m bench``): CAMT.053 and CSV imports vs parsing.

    ``n_claims`` open claims of a fresh creditor (its own, not the shared
    dataset); CAMT entries min(10,000, N), CSV rows min(100,000, N). Every write
    is rolled back. One run each (they are long); floor = parsing alone.
    """
    global N_CLAIMS, N_ENTRIES, N_ROWS
    from django.db import transaction

    from claims.money_in.bank import bank_statement_import
    from claims.money_in.formats import camt053
    from claims.money_in.formats import csvfile
    from claims.money_in.invoices import invoices_csv_import
    from tests.factories import CreditorFactory

    N_CLAIMS, N_ENTRIES, N_ROWS = (
        n_claims,
        min(10_000, n_claims),
        min(100_000, n_claims),
    )
    rows: list[dict] = []

    cpu: dict[str, float] = {}

    def timed(fn, name: str = "") -> tuple[object, float]:
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        cpu[name] = time.process_time() - c0  # this process only, not PostgreSQL
        return out, time.perf_counter() - t0

    try:
        with transaction.atomic():
            creditor = CreditorFactory()
            claims = _claims_bulk(creditor)
            camt = _camt(claims)
            _, floor = timed(lambda: camt053.parse(camt))
            r, full = timed(
                lambda: bank_statement_import(
                    creditor=creditor, data=camt, filename="bench.xml"
                ),
                "camt",
            )
            rows.append(
                {
                    "measurement": f"CAMT.053 {N_ENTRIES:,} entries vs {N_CLAIMS:,} claims",
                    "median": full,
                    "floor": floor,
                    "runs": 1,
                    "matched": r.matched,
                    "cpu_s": round(cpu["camt"], 2),
                    "total": r.total,
                    "target": "< 10 s (10,000 entries)",
                    "met": full < 10,
                }
            )
            data = _csv()
            mapping = {
                "debtor_name": "Client",
                "invoice_number": "Facture",
                "issue_date": "Date",
                "due_date": "Echeance",
                "amount": "Montant",
            }
            _, floor = timed(lambda: csvfile.parse(data, mapping))
            created, full = timed(
                lambda: invoices_csv_import(
                    creditor=creditor, data=data, mapping=mapping
                ),
                "csv",
            )
            rows.append(
                {
                    "measurement": f"CSV import {N_ROWS:,} invoice rows",
                    "median": full,
                    "floor": floor,
                    "runs": 1,
                    "claims": len(created),
                    "cpu_s": round(cpu["csv"], 2),
                    "target": "< 60 s (100,000 rows)",
                    "met": full < 60,
                }
            )
            raise _Rollback
    except _Rollback:
        pass
    return rows
