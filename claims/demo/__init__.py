"""Realistic Belgian and French demo data, written in bulk (``manage.py seed_demo``).

Identifiers carry valid check digits (see :mod:`claims.demo.identifiers`) so
every row passes the model validators. Speed matters (``--claims 100000`` in
well under a minute on PostgreSQL): rows are built as plain dicts, written with
``COPY`` (``bulk_create`` on SQLite) and the cached claim totals are computed
afterwards by one set-based UPDATE. No per-row service runs here.

May import: ``claims.money_in``, ``claims.judicial``, ``claims.engine``,
``claims.ledger``, ``claims.models``, ``claims.law``. Never the web layer nor
``letters``.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection
from django.db import transaction
from django.utils.translation import gettext_noop
from django.utils.translation import pgettext_lazy

from claims.ledger.bulk import allocate_ids
from claims.ledger.bulk import ids_by_code
from claims.ledger.bulk import insert_rows
from claims.ledger.timeline import Said
from claims.ledger.timeline import amount as money
from claims.ledger.timeline import said
from claims.ledger.validators import ogm_from_number
from claims.models import Claim
from claims.models import ClosedReason
from claims.models import Creditor
from claims.models import Debtor
from claims.models import DebtorContact
from claims.models import DebtorKind
from claims.models import Event
from claims.models import Invoice
from claims.models import InvoiceKind
from claims.models import Membership
from claims.models import Payment
from claims.models import PaymentMethod
from claims.models import Role
from claims.models import Stage

from . import identifiers as ids
from . import vocabulary as voc
from .history import ENGINE_DAYS
from .history import Happening
from .history import bulk_history
from .history import engine_history
from .history import history_until
from .history import invoice_milestones

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-recouvrement"  # noqa: S105 - published demo login
READONLY_USERNAME = "lecture"
READONLY_PASSWORD = "demo-lecture"  # noqa: S105 - published demo login

_CENT = Decimal("0.01")

# Books up to this size get their history played by the engine day by day
# (``make run`` seeds 1,000 claims); larger ones (benchmarks) are set-based.
ENGINE_MAX_CLAIMS = 1000

# (weight, first day overdue, last day overdue): negative = not yet due.
AGE_BUCKETS = [(12, -30, -1), (26, 1, 30), (18, 31, 60), (12, 61, 90), (32, 91, 540)]


@dataclass(frozen=True)
class Profile:
    """How one creditor's demo book looks."""

    country: str
    prefix: str
    legal_name: str
    trade_name: str
    legal_form: str
    street: str
    postal_code: str
    city: str
    email: str
    phone: str
    time_zone: str
    languages: tuple[str, ...]
    vat_rate: Decimal


PROFILES = (
    Profile(
        country="BE",
        prefix="LG",
        legal_name="Boulangerie Lejeune SRL",
        trade_name="Boulangerie Lejeune",
        legal_form="SRL",
        street="Rue Saint-Gilles 58",
        postal_code="4000",
        city="Liège",
        email="compta@boulangerie-lejeune.example",
        phone="+32 4 222 33 44",
        time_zone="Europe/Brussels",
        languages=("fr", "fr", "fr", "nl", "nl", "en"),
        vat_rate=Decimal("0.21"),
    ),
    Profile(
        country="FR",
        prefix="LY",
        legal_name="Ateliers Lumière SAS",
        trade_name="Ateliers Lumière",
        legal_form="SAS",
        street="12 rue Mercière",
        postal_code="69002",
        city="Lyon",
        email="recouvrement@ateliers-lumiere.example",
        phone="+33 4 78 00 11 22",
        time_zone="Europe/Paris",
        languages=("fr", "fr", "fr", "fr", "en"),
        vat_rate=Decimal("0.20"),
    ),
)


@dataclass
class SeedResult:
    creditors: int = 0
    debtors: int = 0
    claims: int = 0
    invoices: int = 0
    payments: int = 0
    events: int = 0
    days_played: int = 0
    engine: bool = False


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def _moment(day: date, rng: random.Random, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(rng.randrange(8, 18), rng.randrange(60)), tz)


def _creditor(profile: Profile, rng: random.Random) -> Creditor:
    if profile.country == "BE":
        number = ids.be_enterprise_number(rng)
        vat, iban = ids.be_vat(number), ids.be_iban(rng, "001")
    else:
        siren = ids.fr_siren(rng)
        number, vat, iban = (
            ids.fr_siret(siren, rng),
            ids.fr_vat(siren),
            ids.fr_iban(rng),
        )
    creditor = Creditor(
        code=_uuid(rng),
        legal_name=profile.legal_name,
        trade_name=profile.trade_name,
        legal_form=profile.legal_form,
        country=profile.country,
        enterprise_number=number,
        vat_number=vat,
        iban=iban,
        email=profile.email,
        phone=profile.phone,
        address_line1=profile.street,
        postal_code=profile.postal_code,
        city=profile.city,
        time_zone=profile.time_zone,
        language="fr",
        terms_reference="Conditions générales de vente, art. 7 (paiement à 30 jours)",
    )
    creditor.full_clean()  # the identifiers must pass the real validators
    creditor.save()
    return creditor


def _person(profile: Profile, language: str, rng: random.Random) -> tuple[str, str]:
    if language == "en":
        return rng.choice(voc.EN_FIRST), rng.choice(voc.EN_LAST)
    if profile.country == "BE":
        return rng.choice(voc.BE_FIRST), rng.choice(voc.BE_LAST)
    return rng.choice(voc.FR_FIRST), rng.choice(voc.FR_LAST)


def _debtor_row(creditor: Creditor, profile: Profile, rng: random.Random) -> dict:
    be = profile.country == "BE"
    language = rng.choice(profile.languages)
    first, last = _person(profile, language, rng)
    postal, city = rng.choice(voc.BE_CITIES if be else voc.FR_CITIES)
    street = rng.choice(voc.BE_STREETS if be else voc.FR_STREETS)
    number = rng.randrange(1, 200)
    row: dict[str, Any] = {
        "code": _uuid(rng),
        "creditor_id": creditor.pk,
        "country": profile.country,
        "language": language,
        "address_line1": f"{street} {number}" if be else f"{number} {street}",
        "postal_code": postal,
        "city": city,
        "phone": f"+32 4 {rng.randrange(100, 999)} {rng.randrange(10, 99)} 00"
        if be
        else f"+33 6 {rng.randrange(10, 99)} {rng.randrange(10, 99)} 00 00",
        "customer_number": f"CL{rng.randrange(10_000, 99_999)}",
        "iban": "",
    }
    if rng.random() < 0.7:
        base = rng.choice(voc.BE_COMPANIES if be else voc.FR_COMPANIES)
        form = rng.choice(voc.BE_FORMS if be else voc.FR_FORMS)
        if be:
            enterprise = ids.be_enterprise_number(rng)
            vat = ids.be_vat(enterprise)
        else:
            enterprise = ids.fr_siren(rng)
            vat = ids.fr_vat(enterprise)
        slug = "".join(ch for ch in base.lower() if ch.isascii() and ch.isalpha())
        row |= {
            "kind": DebtorKind.BUSINESS,
            "name": f"{base} {last} {form}" if rng.random() < 0.5 else f"{base} {form}",
            "legal_form": form,
            "enterprise_number": enterprise,
            "vat_number": vat,
            "email": f"compta@{slug[:20]}.example",
        }
    else:
        # Mail addresses stay ASCII: "Chloé Thomas" → chloe.thomas@…
        login = (
            unicodedata.normalize("NFKD", f"{first}.{last}".lower().replace(" ", ""))
            .encode("ascii", "ignore")
            .decode()
        )
        row |= {
            "kind": DebtorKind.CONSUMER,
            "name": f"{first} {last}",
            "email": f"{login}@mail.example",
        }
    if rng.random() < 0.4:
        row["iban"] = ids.be_iban(rng) if be else ids.fr_iban(rng)
    return row


@dataclass
class _Book:
    """One creditor's rows, built in memory; children point at ``claim_code``."""

    claims: list[dict]
    invoices: list[dict]
    payments: list[dict]
    events: list[dict]
    happenings: list[Happening]


def _invoices(
    claim: dict, seq: int, due: date, business: bool, p: Profile, rng, today: date
):
    rows = []
    for i in range(1 if rng.random() < 0.8 else rng.randint(2, 3)):
        inv_due = due + timedelta(days=30 * i)
        amount = _money(rng, 40, 9000 if business else 1500)
        if i and inv_due - timedelta(days=30) > today:
            break  # a later invoice of the claim is not issued yet
        rows.append(
            {
                "code": _uuid(rng),
                "creditor_id": claim["creditor_id"],
                "claim_code": claim["code"],
                "kind": InvoiceKind.INVOICE,
                "number": f"F{inv_due.year}-{seq:06d}-{i + 1}",
                "issue_date": inv_due - timedelta(days=30),
                "due_date": inv_due,
                "delivery_date": inv_due - timedelta(days=31),
                "amount": amount,
                "vat_amount": (amount * p.vat_rate / (1 + p.vat_rate)).quantize(_CENT),
                "currency": "EUR",
                "description": rng.choice(
                    voc.BE_GOODS if p.country == "BE" else voc.FR_GOODS
                ),
                "source": "demo",
                "created_at": claim["created_at"],
            }
        )
    return rows


def _payments(
    claim: dict, total: Decimal, due: date, today: date, rng, actor_id, issued: date
):
    """About one claim in five is paid in full, one in ten in part.

    A payment in full comes once the last invoice is issued (``issued``): it
    pays the invoices, and :func:`settle_paid_in_full` adds what the statement
    asks on that day (interest, fees) so that nothing is left due.
    """
    roll = rng.random()
    if roll >= 0.30 or due >= today - timedelta(days=2):
        return []
    first_day = due - timedelta(days=5)
    on = first_day + timedelta(days=rng.randrange(max((today - first_day).days, 1)))
    share = Decimal("1") if roll < 0.20 else Decimal(rng.choice(["0.25", "0.4", "0.5"]))
    if share == 1:
        on = max(on, issued)
    return [
        {
            "code": _uuid(rng),
            "creditor_id": claim["creditor_id"],
            "claim_code": claim["code"],
            "date": on,
            "amount": (total * share).quantize(_CENT),
            "currency": "EUR",
            "method": rng.choice([PaymentMethod.TRANSFER] * 4 + [PaymentMethod.CARD]),
            "reference": claim["structured_reference"],
            "created_by_id": actor_id,
        }
    ]


def _said_fields(message: Said, data: dict) -> dict:
    return {"message": str(message)[:500], "data": {**data, **message.stored()}}


def _event(claim: dict, at: datetime, kind: str, message: Said, data=None) -> dict:
    """An event row; its sentence stored as a message id plus parameters, as
    ``Event`` does for ``said`` (read in the reader's language)."""
    return {
        "creditor_id": claim["creditor_id"],
        "claim_code": claim["code"],
        "at": at,
        "kind": kind,
        "actor_label": "démo",
        **_said_fields(message, data or {}),
    }


def _claim_row(
    creditor: Creditor, p: Profile, seq: int, debtor: dict, due, rng, today: date
):
    tz = ZoneInfo(p.time_zone)
    reference = f"{p.prefix}-{seq:06d}"
    if p.country == "BE":
        structured = ogm_from_number((creditor.pk % 10_000) * 1_000_000 + seq)
    else:
        structured = ids.rf_reference(reference)
    # Opened when it was issued, or so; never after the day the book is made.
    created = _moment(min(due - timedelta(days=25), today), rng, tz)
    return {
        "code": _uuid(rng),
        "creditor_id": creditor.pk,
        "debtor_code": debtor["code"],
        "reference": reference,
        "structured_reference": structured,
        "currency": "EUR",
        "status": Claim.Status.OPEN,
        "created_at": created,
        "updated_at": created,
        "terms_reference": creditor.terms_reference,
    }


def _build_book(
    creditor, p: Profile, debtors, n_claims, today, rng, actor_id, *, engine: bool
) -> _Book:
    """Rows of one creditor's book.

    ``engine``: every claim starts at the amicable stage with its invoices only;
    payments, disputes and pauses become :class:`Happening` s that the engine
    history records at their dates through the real services. Otherwise
    (bulk) payments are written as rows and disputes/pauses as stage changes
    whose history :func:`bulk_history` completes set-based.
    """
    book = _Book([], [], [], [], [])
    tz = ZoneInfo(p.time_zone)
    engine_from = today - timedelta(days=ENGINE_DAYS)
    weights = [b[0] for b in AGE_BUCKETS]
    for seq in range(1, n_claims + 1):
        debtor = rng.choice(debtors)
        _, lo, hi = rng.choices(AGE_BUCKETS, weights)[0]
        overdue = rng.randint(lo, hi)
        due = today - timedelta(days=overdue)
        claim = _claim_row(creditor, p, seq, debtor, due, rng, today)
        business = debtor["kind"] == DebtorKind.BUSINESS
        invoices = _invoices(claim, seq, due, business, p, rng, today)
        total = sum((i["amount"] for i in invoices), Decimal("0.00"))
        events = [
            _event(
                claim,
                claim["created_at"],
                Event.Kind.CREATED,
                said(
                    gettext_noop("Créance ouverte : %(n)s facture(s), %(a)s"),
                    n=len(invoices),
                    a=money(total, "EUR"),
                ),
            )
        ]
        issued = max(i["issue_date"] for i in invoices)
        payments = _payments(claim, total, due, today, rng, actor_id, issued)
        stage = Stage.AMICABLE  # what follows is made by the engine's history
        claim["stage_entered_on"] = claim["created_at"].date()
        if engine:  # the engine's days record these through the services
            book.happenings += [
                Happening(
                    pay["date"],
                    claim["code"],
                    "payment",
                    pay["amount"],
                    None,
                    pay["method"],
                )
                for pay in payments
                if pay["date"] >= engine_from
            ]
            payments = [pay for pay in payments if pay["date"] < engine_from]
        for pay in payments:
            message = said(
                gettext_noop("Paiement de %(a)s reçu le %(d)s"),
                a=money(pay["amount"], "EUR"),
                d=pay["date"],
            )
            at = _moment(pay["date"], rng, tz)
            events.append(
                _event(
                    claim,
                    at,
                    Event.Kind.PAYMENT,
                    message,
                    {"amount": str(pay["amount"])},
                )
            )
        if payments and payments[0]["amount"] == total:
            stage = Stage.CLOSED
            claim |= {
                "status": Claim.Status.CLOSED,
                "closed_reason": ClosedReason.PAID,
                "closed_on": payments[0]["date"],
                "stage_entered_on": payments[0]["date"],
            }
        elif engine and overdue > 20 and rng.random() < 0.03:
            # An agreed payment plan, its first instalment paid on time.
            on = today - timedelta(days=rng.randint(8, ENGINE_DAYS - 1))
            book.happenings.append(Happening(on, claim["code"], "plan"))
            first = (total / 3).quantize(_CENT)
            book.happenings.append(
                Happening(on + timedelta(days=6), claim["code"], "payment", first)
            )
        elif overdue > 5 and rng.random() < 0.06:
            held = rng.choice([Stage.DISPUTED, Stage.DISPUTED, Stage.PAUSED])
            on = today - timedelta(days=rng.randint(1, 20))
            until = today + timedelta(days=rng.randint(5, 30))
            if engine:
                kind = "dispute" if held == Stage.DISPUTED else "pause"
                book.happenings.append(Happening(on, claim["code"], kind, None, until))
            else:
                stage = held
                claim["resume_stage"] = Stage.AMICABLE  # bulk_history refines it
                claim["stage_entered_on"] = on
                if stage == Stage.PAUSED:
                    claim["paused_until"] = until
                message = said(
                    gettext_noop("Étape : %(b)s → %(a)s"),
                    b=Stage.AMICABLE.label,
                    a=Stage(stage).label,
                )
                data = {"before": Stage.AMICABLE, "after": stage}
                events.append(
                    _event(claim, _moment(on, rng, tz), Event.Kind.STAGE, message, data)
                )
        claim["stage"] = stage
        book.claims.append(claim)
        book.invoices.extend(invoices)
        book.payments.extend(payments)
        book.events.extend(events)
    return book


def _write_book(creditor: Creditor, book: _Book, debtor_ids: dict) -> None:
    for claim in book.claims:
        claim["debtor_id"] = debtor_ids[claim.pop("debtor_code")]
    if connection.vendor == "postgresql":
        _write_book_with_totals(creditor, book)
        return
    insert_rows(Claim, book.claims)
    claim_ids = ids_by_code(
        Claim, (c["code"] for c in book.claims), creditor_id=creditor.pk
    )
    for model, rows in (
        (Invoice, book.invoices),
        (Payment, book.payments),
        (Event, book.events),
    ):
        for row in rows:
            row["claim_id"] = claim_ids[row.pop("claim_code")]
        insert_rows(model, rows)


_INSERT_WITH_TOTALS_SQL = """
WITH inv AS (
    SELECT claim_id,
           SUM(CASE WHEN kind = %(credit)s THEN -amount ELSE amount END) AS principal,
           MIN(CASE WHEN kind = %(credit)s THEN NULL ELSE due_date END) AS oldest
      FROM claims_invoice WHERE creditor_id = %(creditor)s GROUP BY claim_id
), pay AS (
    SELECT claim_id, SUM(amount) AS paid
      FROM claims_payment WHERE creditor_id = %(creditor)s GROUP BY claim_id
)
INSERT INTO claims_claim ({columns})
SELECT {values}
  FROM demo_claim c
  LEFT JOIN inv ON inv.claim_id = c.id
  LEFT JOIN pay ON pay.claim_id = c.id
"""
_TOTAL_COLUMNS = {
    "principal": "ROUND(GREATEST(COALESCE(inv.principal, 0), 0), 2)",
    "paid": "ROUND(COALESCE(pay.paid, 0), 2)",
    "balance": "ROUND(GREATEST(COALESCE(inv.principal, 0), 0)"
    " - COALESCE(pay.paid, 0), 2)",
    "oldest_due_date": "inv.oldest",
}


def _write_book_with_totals(creditor: Creditor, book: _Book) -> None:
    """PostgreSQL: ledger rows first (foreign keys are checked at commit), then
    the claims in one INSERT … SELECT computing their totals set-based, so no
    UPDATE rewrites 100,000 fresh rows."""
    claim_ids = {}
    for claim, pk in zip(
        book.claims, allocate_ids(Claim, len(book.claims)), strict=True
    ):
        claim["id"] = claim_ids[claim["code"]] = pk
    for model, rows in (
        (Invoice, book.invoices),
        (Payment, book.payments),
        (Event, book.events),
    ):
        for row in rows:
            row["claim_id"] = claim_ids[row.pop("claim_code")]
        insert_rows(model, rows)
    columns = [f.column for f in Claim._meta.concrete_fields]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    values = ", ".join(_TOTAL_COLUMNS.get(c, f"c.{c}") for c in columns)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE demo_claim (LIKE claims_claim)")
        insert_rows(Claim, book.claims, table="demo_claim", with_pk=True)
        cursor.execute(
            _INSERT_WITH_TOTALS_SQL.format(columns=quoted, values=values),
            {"credit": InvoiceKind.CREDIT_NOTE, "creditor": creditor.pk},
        )
        cursor.execute("DROP TABLE demo_claim")


_TOTALS_SQL = """
WITH inv AS (
    SELECT claim_id,
           SUM(CASE WHEN kind = %(credit)s THEN -amount ELSE amount END) AS principal,
           MIN(CASE WHEN kind = %(credit)s THEN NULL ELSE due_date END) AS oldest
      FROM claims_invoice
     WHERE creditor_id IN ({ids})
     GROUP BY claim_id
), pay AS (
    SELECT claim_id, SUM(amount) AS paid
      FROM claims_payment
     WHERE creditor_id IN ({ids})
     GROUP BY claim_id
), totals AS (
    SELECT inv.claim_id,
           CASE WHEN inv.principal > 0 THEN inv.principal ELSE 0 END AS principal,
           COALESCE(pay.paid, 0) AS paid,
           inv.oldest
      FROM inv LEFT JOIN pay ON pay.claim_id = inv.claim_id
)
UPDATE claims_claim
   SET principal = ROUND(totals.principal, 2),
       paid = ROUND(totals.paid, 2),
       balance = ROUND(totals.principal - totals.paid, 2),
       oldest_due_date = totals.oldest
  FROM totals
 WHERE claims_claim.id = totals.claim_id
"""


def refresh_totals_set_based(
    *, creditor_ids: list[int], today: date | None = None, figures: bool = True
) -> None:
    """Recompute principal, paid, balance and oldest due date of many claims.

    One UPDATE … FROM over aggregates (PostgreSQL and SQLite ≥ 3.33): no row is
    read into Python. Same arithmetic as ``claims.ledger.services.claim_refresh_totals``
    (credit notes subtract, principal never below zero). ROUND keeps SQLite,
    which sums decimals as floats, to the cent.
    """
    if not creditor_ids:
        return
    ids = ", ".join(str(int(pk)) for pk in creditor_ids)
    with connection.cursor() as cursor:
        cursor.execute(_TOTALS_SQL.format(ids=ids), {"credit": InvoiceKind.CREDIT_NOTE})
    # Open claims: the statement's figures (interest and fees included).
    if figures:
        seed_refresh_figures(creditor_ids=creditor_ids, today=today)


def _users() -> tuple[Any, Any]:
    User = get_user_model()
    demo = User(
        username=DEMO_USERNAME,
        email="demo@recouvrement.example",
        first_name="Démo",
        last_name="Recouvrement",
        is_staff=True,
        is_superuser=True,
    )
    demo.set_password(DEMO_PASSWORD)
    demo.save()
    reader = User(username=READONLY_USERNAME, email="lecture@recouvrement.example")
    reader.set_password(READONLY_PASSWORD)
    reader.save()
    return demo, reader


@transaction.atomic
def seed_demo(
    *, n_claims: int, today: date, seed: int = 2026, engine: bool | None = None
) -> SeedResult:
    """Create two creditors (Liège, Lyon), their debtors and ``n_claims`` claims.

    Deterministic for one ``seed`` and ``today``. Claims are split 60/40 between
    Liège and Lyon and spread over every age bucket; about 20 % are paid, 10 %
    partly paid and a few disputed or paused. ``demo`` (superuser) owns both
    creditors; ``lecture`` reads both.

    The history — reminders, formal notices, payments, disputes, pauses — is
    made by the collection engine over the past days (``engine``, the default
    up to ``ENGINE_MAX_CLAIMS`` claims, see :mod:`claims.demo.history`), or
    set-based from the same scenario plan for large books.
    """
    if engine is None:
        engine = n_claims <= ENGINE_MAX_CLAIMS
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    demo, reader = _users()
    result = SeedResult(engine=engine)
    creditor_ids = []
    happenings: list[Happening] = []
    for p, share in zip(
        PROFILES, (n_claims - n_claims * 2 // 5, n_claims * 2 // 5), strict=True
    ):
        creditor = _creditor(p, rng)
        creditor_ids.append(creditor.pk)
        Membership.objects.create(user=demo, creditor=creditor, role=Role.OWNER)
        Membership.objects.create(user=reader, creditor=creditor, role=Role.READONLY)
        debtors = [_debtor_row(creditor, p, rng) for _ in range(max(8, share // 5))]
        insert_rows(Debtor, debtors)
        debtor_ids = ids_by_code(
            Debtor, (d["code"] for d in debtors), creditor_id=creditor.pk
        )
        contacts = [
            {
                "debtor_id": debtor_ids[d["code"]],
                "name": d["name"],
                "email": d["email"],
                "role": "billing",
            }
            for d in debtors
            if d["kind"] == DebtorKind.BUSINESS
        ]
        insert_rows(DebtorContact, contacts)
        book = _build_book(
            creditor, p, debtors, share, today, rng, demo.pk, engine=engine
        )
        _write_book(creditor, book, debtor_ids)
        happenings += book.happenings
        Creditor.objects.filter(pk=creditor.pk).update(ogm_sequence=share)
        result.creditors += 1
        result.debtors += len(debtors)
        result.claims += len(book.claims)
        result.invoices += len(book.invoices)
    if connection.vendor != "postgresql":  # PostgreSQL wrote them on insert
        # Ledger totals only: the statement is stored once, after the history.
        refresh_totals_set_based(creditor_ids=creditor_ids, today=today, figures=False)
    if engine:
        history_until(
            creditor_ids=creditor_ids, until=today - timedelta(days=ENGINE_DAYS)
        )
        invoice_milestones(creditor_ids=creditor_ids)
        settle_paid_in_full(
            creditor_ids=creditor_ids, rng=rng, today=today, actor_id=demo.pk
        )
        result.days_played = engine_history(
            creditor_ids=creditor_ids, happenings=happenings, today=today, actor=demo
        )
    elif connection.vendor == "postgresql":
        bulk_history(creditor_ids=creditor_ids, today=today)
        invoice_milestones(creditor_ids=creditor_ids)
    else:
        history_until(creditor_ids=creditor_ids, until=today)
        invoice_milestones(creditor_ids=creditor_ids)
    if not engine:
        settle_paid_in_full(
            creditor_ids=creditor_ids, rng=rng, today=today, actor_id=demo.pk
        )
    # What is due after the history: the statement of every open claim.
    seed_refresh_figures(creditor_ids=creditor_ids, today=today)
    result.payments = Payment.objects.filter(creditor_id__in=creditor_ids).count()
    result.events = Event.objects.filter(creditor_id__in=creditor_ids).count()
    return result


def settle_paid_in_full(
    *, creditor_ids: list[int], rng: random.Random, today: date, actor_id: int
) -> int:
    """Claims the book closed as paid: nothing is left due on their statement.

    The book's payment in full pays the invoices; a debtor who paid late also
    owes the interest and fees the statement adds by that day (e.g. BE: loi
    du 2 août 2002, art. 5 and 6; FR: art. L441-10 II C. com.). Those are paid
    the same day by a second payment (ledger rows are append-only), so a claim
    closed as paid is one whose statement says nothing is due. Its stored
    figures are then the statement's (``claims_refresh_figures``). Run once
    the history is recorded (a reminder can start the interest). Returns the
    number of claims that needed the second payment.
    """
    from claims.ledger.services import claims_refresh_figures
    from claims.ledger.statements import claim_statements

    closed = list(
        Claim.objects.filter(
            creditor_id__in=creditor_ids,
            status=Claim.Status.CLOSED,
            closed_reason=ClosedReason.PAID,
        ).select_related("creditor", "debtor")
    )
    by_day: dict[date, list[Claim]] = {}
    for claim in closed:
        by_day.setdefault(claim.closed_on, []).append(claim)
    owed: dict[int, tuple[Claim, Decimal]] = {}
    for day, group in by_day.items():  # one statement batch per closing day
        statements = claim_statements(claims=group, at=day)
        owed |= {
            c.pk: (c, statements[c.pk].total_due)
            for c in group
            if c.pk in statements and statements[c.pk].total_due > 0
        }
    paid_at = dict(
        Event.objects.filter(claim_id__in=list(owed), kind=Event.Kind.PAYMENT)
        .order_by("at")
        .values_list("claim_id", "at")
    )
    payments, events = [], []
    for pk, (claim, due) in owed.items():
        payments.append(
            {
                "code": _uuid(rng),
                "creditor_id": claim.creditor_id,
                "claim_id": pk,
                "date": claim.closed_on,
                "amount": due,
                "currency": "EUR",
                "method": PaymentMethod.TRANSFER,
                "reference": claim.structured_reference,
                "created_by_id": actor_id,
            }
        )
        at = paid_at.get(pk) or datetime.combine(
            claim.closed_on, time(12), ZoneInfo(claim.creditor.time_zone)
        )
        events.append(
            {
                "creditor_id": claim.creditor_id,
                "claim_id": pk,
                "at": at + timedelta(minutes=1),
                "kind": Event.Kind.PAYMENT,
                "actor_label": "démo",
                **_said_fields(
                    said(
                        gettext_noop("Paiement de %(a)s reçu le %(d)s (%(r)s)"),
                        a=money(due, "EUR"),
                        d=claim.closed_on,
                        r=pgettext_lazy("payment", "intérêts et frais"),
                    ),
                    {"amount": str(due)},
                ),
            }
        )
    insert_rows(Payment, payments)
    insert_rows(Event, events)
    claims_refresh_figures(claim_ids=[c.pk for c in closed], at=today)
    return len(owed)


def seed_refresh_figures(*, creditor_ids: list[int], today: date | None) -> int:
    """Store the statement of account on the open claims of ``creditor_ids``
    on ``today`` (None: each creditor's today)."""
    from claims.ledger.services import claims_refresh_figures

    return claims_refresh_figures(
        claim_ids=Claim.objects.filter(
            creditor_id__in=creditor_ids, status=Claim.Status.OPEN
        ).values_list("pk", flat=True),
        at=today,
    )
