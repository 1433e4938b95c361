"""Acceptance simulation: 60 days of ``manage.py collect --at D``, judged by what was sent.

The demo book (``seed_demo``) plus claims written for the purpose — a 2016
invoice, two-invoice claims whose second invoice falls due three weeks after
the first, Belgian and French consumers and businesses — go through the real
tick once a day (twice on some days: a morning and an evening run) for 60
days. Every message is captured: the locmem outbox, the archived documents,
the OutboundMessage rows, and what the letters were built from (the e-mail
spec and each PDF's letter context, whose ``qr_payload`` is the EPC QR code
printed on the PDF). The invariants are then asserted from that record only:

- no invoice is demanded before its due date;
- no step is sent to a claim before the deadline given in its previous message;
- the claim's stage agrees with the last message sent (a formal notice puts the
  claim at the formal-notice stage; a reminder is never sent to a claim that is
  already past it; nothing goes to a claim in a held stage);
- a claim at the formal-notice stage has a formal notice in its history;
- the claims list, the statement, the debtor portal and the QR code of the PDF
  show the same amount due;
- every run exits normally and leaves no action "running";
- a debtor receives at most one message a day.

The whole run is built once per module (it takes a while: marked slow); each
invariant is its own test so a failure names the rule that was broken.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.claims.engine_fixtures import ensure_reference_data

# django_db: the test database is set up for this module (the record itself is
# built, and rolled back, by the module fixture).
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

BRUSSELS = ZoneInfo("Europe/Brussels")
START = date(2025, 11, 17)  # a Monday; the 60 days cover Christmas and New Year
DAYS = 60
SEED_CLAIMS = 40
MESSAGE_KINDS = ("pre_due", "first_reminder", "reminder", "formal_notice")
RANK = {k: i for i, k in enumerate(MESSAGE_KINDS)}


# --------------------------------------------------------------- the record


@dataclass
class Sent:
    """One claim's share of one message (an e-mail, a letter, or both)."""

    day: date
    reference: str
    debtor_id: int
    kinds: set[str] = field(default_factory=set)
    deadlines: list[date] = field(default_factory=list)
    qr_amounts: list[Decimal] = field(default_factory=list)
    email_amounts: list[Decimal] = field(default_factory=list)
    email_today: list[Decimal] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class Record:
    sent: dict[tuple[date, str], Sent] = field(default_factory=dict)
    runs: list[tuple[str, str]] = field(default_factory=list)  # (at, error)
    running_after: list[tuple[str, int]] = field(default_factory=list)
    per_debtor_day: dict[tuple[int, date], int] = field(
        default_factory=lambda: defaultdict(int)
    )
    stage_after: dict[tuple[date, str], str] = field(default_factory=dict)
    # (day, reference) → {"list": …, "statement": …, "portal": …}
    amounts: dict[tuple[date, str], dict[str, Decimal]] = field(default_factory=dict)
    invoices: dict[str, list[tuple[str, date]]] = field(default_factory=dict)
    formal_without_history: list[str] = field(default_factory=list)
    held_stage_sent: list[str] = field(default_factory=list)

    def share(self, day: date, reference: str, debtor_id: int) -> Sent:
        key = (day, reference)
        if key not in self.sent:
            self.sent[key] = Sent(day, reference, debtor_id)
        return self.sent[key]


def _epc_amount(payload: str) -> Decimal | None:
    for line in payload.splitlines():
        if line.startswith("EUR"):
            return Decimal(line[3:])
    return None


class _Spies:
    """Wrap what the letters app builds messages from, without changing it."""

    def __init__(self) -> None:
        self.contexts: list[dict[str, Any]] = []
        self.specs: list[Any] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import letters.delivery
        import letters.services

        real_context = letters.services.letter_context
        real_build = letters.delivery.email_build

        def context(**kw: Any) -> dict[str, Any]:
            ctx = real_context(**kw)
            self.contexts.append(ctx)
            return ctx

        def build(spec: Any) -> Any:
            self.specs.append(spec)
            return real_build(spec)

        monkeypatch.setattr(letters.services, "letter_context", context)
        monkeypatch.setattr(letters.delivery, "email_build", build)

    def drain(self) -> tuple[list[dict[str, Any]], list[Any]]:
        out = (self.contexts, self.specs)
        self.contexts, self.specs = [], []
        return out


# --------------------------------------------------------------- the book


def _own_claims(today: date) -> list[str]:
    """Claims written for the simulation, opened through the real service."""
    from claims.ledger.services import InvoiceData
    from claims.ledger.services import claim_open
    from claims.models import Creditor
    from tests import factories as f

    be = Creditor.objects.get(country="BE")
    fr = Creditor.objects.get(country="FR")
    be_biz = f.DebtorFactory(creditor=be, name="Sim Traiteur SA")
    be_biz2 = f.DebtorFactory(creditor=be, name="Sim Épicerie SRL")
    be_cons = f.ConsumerFactory(creditor=be, name="Sim Marie Dubois")
    be_cons2 = f.ConsumerFactory(creditor=be, name="Sim Luc Peeters", language="nl")
    fr_kw = {"country": "FR", "postal_code": "69003", "city": "Lyon"}
    fr_biz = f.DebtorFactory(
        creditor=fr, name="Sim Bistrot SARL", enterprise_number="552100554", **fr_kw
    )
    fr_cons = f.ConsumerFactory(creditor=fr, name="Sim Claire Martin", **fr_kw)

    def inv(n: str, due: date, amount: str, issued: int = 30) -> InvoiceData:
        return InvoiceData(
            number=n,
            issue_date=due - timedelta(days=issued),
            due_date=due,
            amount=Decimal(amount),
            delivery_date=due - timedelta(days=issued),
        )

    d = today
    specs = [
        # A Belgian B2B claim from 2016 (prescription: 10 years).
        (be, be_biz, [inv("SIM-2016-1", date(2016, 3, 2), "1815.00")]),
        # Two invoices, the second due three weeks after the first.
        (
            be,
            be_cons,
            [
                inv("SIM-BC-1", d - timedelta(days=3), "240.00"),
                # Issued today (no invoice is dated in the future), due later.
                inv("SIM-BC-2", d + timedelta(days=18), "180.00", issued=18),
            ],
        ),
        (
            fr,
            fr_biz,
            [
                inv("SIM-FB-1", d + timedelta(days=1), "2400.00", issued=20),
                inv("SIM-FB-2", d + timedelta(days=22), "960.00", issued=22),
            ],
        ),
        (be, be_biz2, [inv("SIM-BB-1", d - timedelta(days=1), "726.00")]),
        (fr, fr_cons, [inv("SIM-FC-1", d + timedelta(days=2), "390.00", issued=15)]),
        (be, be_cons2, [inv("SIM-BC2-1", d + timedelta(days=5), "95.50", issued=10)]),
        (fr, fr_biz, [inv("SIM-FB2-1", d - timedelta(days=20), "1200.00")]),
    ]
    refs = []
    for creditor, debtor, invoices in specs:
        claim = claim_open(creditor=creditor, debtor=debtor, invoices=invoices)
        refs.append(claim.reference)
    return refs


# --------------------------------------------------------------- one day


def _portal_total(client: Client, claim: Any) -> Decimal:
    from letters.portal.tokens import portal_token_issue

    _token, raw = portal_token_issue(debtor=claim.debtor, claim=claim)
    client.get(reverse("portal:enter", args=[raw]))
    response = client.get(reverse("portal:claim", args=[claim.code]))
    assert response.status_code == 200, response.status_code
    return response.context["statement"].total_due


def _amounts(day: date, claim: Any, client: Client) -> dict[str, Any]:
    from claims.ledger.statements import claim_statement
    from claims.models import Claim

    fresh = Claim.objects.select_related("creditor", "debtor").get(pk=claim.pk)
    out: dict[str, Any] = {"list": fresh.balance}
    for name, read in (
        ("statement", lambda: claim_statement(claim=fresh, at=day).total_due),
        ("portal", lambda: _portal_total(client, fresh)),
        (
            "demanded",
            lambda: claim_statement(claim=fresh, at=day, demanded_only=True).total_due,
        ),
    ):
        try:
            with transaction.atomic():
                out[name] = read()
        except Exception as exc:  # a crash is a finding, not the end of the record
            out[name] = f"{type(exc).__name__}: {exc}"
    return out


def _pdf_text(document: Any) -> str:
    from pypdf import PdfReader

    with document.file.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
        return "\n".join(page.extract_text() or "" for page in reader.pages)


def _capture(day: date, rec: Record, spies: _Spies, seen: dict[str, set]) -> None:
    """What this day's runs sent, attributed to each claim."""
    from claims.models import Action
    from claims.models import Claim
    from letters.models import Document
    from letters.models import OutboundMessage

    contexts, specs = spies.drain()
    claims = {c.reference: c for c in Claim.objects.select_related("debtor")}
    for ctx in contexts:
        ref = ctx["p"].claim_reference
        share = rec.share(day, ref, claims[ref].debtor_id)
        share.deadlines.append(ctx["deadline"])
        if ctx["qr_payload"]:
            share.qr_amounts.append(_epc_amount(ctx["qr_payload"]))
    for spec in specs:
        for line in spec.claims:
            share = rec.share(day, line.reference, claims[line.reference].debtor_id)
            share.deadlines.append(spec.deadline)
            share.email_amounts.append(line.amount_to_pay)
            share.email_today.append(line.statement.total_due)
    done = Action.objects.filter(state=Action.State.DONE).exclude(
        pk__in=seen["actions"]
    )
    for a in done.select_related("step", "claim"):
        seen["actions"].add(a.pk)
        if a.step.kind in MESSAGE_KINDS:
            rec.share(day, a.claim.reference, a.debtor_id).kinds.add(a.step.kind)
    new_msgs = OutboundMessage.objects.exclude(pk__in=seen["messages"])
    for m in new_msgs.prefetch_related("claims"):
        seen["messages"].add(m.pk)
        rec.per_debtor_day[(m.debtor_id, day)] += 1
    orphans: set[int] = set()
    new_docs = Document.objects.exclude(pk__in=seen["documents"]).select_related(
        "claim"
    )
    for doc in new_docs:
        seen["documents"].add(doc.pk)
        if doc.claim is None:
            continue
        share = rec.share(day, doc.claim.reference, doc.debtor_id)
        share.texts.append(_pdf_text(doc))
        if not doc.messages.exists():
            orphans.add(doc.debtor_id)
    for debtor_id in orphans:  # letters posted without an e-mail: one envelope
        rec.per_debtor_day[(debtor_id, day)] += 1
    for message in mail.outbox[seen["outbox"] :]:
        body = message.body + "".join(
            alt[0] for alt in getattr(message, "alternatives", [])
        )
        for ref, claim in claims.items():
            if ref in message.subject or ref in body:
                rec.share(day, ref, claim.debtor_id).texts.append(body)
    seen["outbox"] = len(mail.outbox)


def _run(at: str, rec: Record) -> None:
    from django.db import connection

    from claims.models import Action

    out = io.StringIO()
    # No savepoint around the run: what it committed before an abort stays,
    # as it would in production (each debtor's delivery is its own transaction).
    try:
        call_command("collect", "--at", at, stdout=out, stderr=out)
    except Exception as exc:
        rec.runs.append((at, f"{type(exc).__name__}: {exc}"))
        if connection.needs_rollback:  # a database error broke the transaction
            raise
    running = Action.objects.filter(state=Action.State.RUNNING).count()
    if running:
        rec.running_after.append((at, running))


def _day_events(day: date, refs: list[str]) -> None:
    """What the owner records on some days, through the real services."""
    from claims.ledger.services import payment_record
    from claims.models import Claim

    if day == START + timedelta(days=20):
        claim = Claim.objects.get(reference=refs[0])  # the 2016 claim pays a part
        payment_record(claim=claim, amount=Decimal("500.00"), on=day)


# --------------------------------------------------------------- the module


@pytest.fixture(scope="module")
def simulation(django_db_setup, django_db_blocker):
    from claims.models import Action
    from claims.models import Claim
    from claims.models import Invoice
    from claims.models import Stage

    monkeypatch = pytest.MonkeyPatch()
    spies = _Spies()
    spies.install(monkeypatch)
    rec = Record()
    seen: dict[str, Any] = {
        "actions": set(),
        "messages": set(),
        "documents": set(),
        "outbox": 0,
    }
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_reference_data()
        mail.outbox = []
        eve = START - timedelta(days=1)
        with time_machine.travel(datetime.combine(eve, time(20), BRUSSELS), tick=False):
            call_command(
                "seed_demo",
                "--claims",
                str(SEED_CLAIMS),
                "--today",
                eve.isoformat(),
                "--seed",
                "7",
                verbosity=0,
            )
        with time_machine.travel(
            datetime.combine(START, time(8), BRUSSELS), tick=False
        ):
            refs = _own_claims(START)
        seen["actions"] = set(
            Action.objects.filter(state=Action.State.DONE).values_list("pk", flat=True)
        )
        from letters.models import Document
        from letters.models import OutboundMessage

        seen["messages"] = set(OutboundMessage.objects.values_list("pk", flat=True))
        seen["documents"] = set(Document.objects.values_list("pk", flat=True))
        seen["outbox"] = len(mail.outbox)
        spies.drain()
        for inv in Invoice.objects.select_related("claim"):
            rec.invoices.setdefault(inv.claim.reference, []).append(
                (inv.number, inv.due_date)
            )
        client = Client()
        for i in range(DAYS):
            day = START + timedelta(days=i)
            evening = datetime.combine(day, time(22), BRUSSELS)
            with time_machine.travel(evening, tick=False):
                _day_events(day, refs)
                if i % 7 == 3:  # a morning run as well: nothing may go twice
                    _run(f"{day.isoformat()}T10:30:00+01:00", rec)
                _run(day.isoformat(), rec)
                _capture(day, rec, spies, seen)
                stages = dict(Claim.objects.values_list("reference", "stage"))
                for (d, ref), share in rec.sent.items():
                    if d != day:
                        continue
                    rec.stage_after[(d, ref)] = stages[ref]
                    claim = Claim.objects.get(reference=ref)
                    if share.qr_amounts or share.email_amounts:
                        rec.amounts[(d, ref)] = _amounts(day, claim, client)
        # At the end, a claim at the formal-notice stage has one in its history.
        done_fn = set(
            Action.objects.filter(
                state=Action.State.DONE, step__kind="formal_notice"
            ).values_list("claim__reference", flat=True)
        )
        rec.formal_without_history = sorted(
            Claim.objects.filter(stage=Stage.FORMAL_NOTICE, status="open")
            .exclude(reference__in=done_fn)
            .values_list("reference", flat=True)
        )
        transaction.set_rollback(True)
    monkeypatch.undo()
    return rec


def _show(items: list[Any], n: int = 15) -> str:
    more = f"\n… and {len(items) - n} more" if len(items) > n else ""
    return "\n".join(str(i) for i in items[:n]) + more


# --------------------------------------------------------------- invariants


def test_the_simulation_sent_messages(simulation):
    """The record is not empty: the invariants below judge real traffic."""
    kinds = {k for s in simulation.sent.values() for k in s.kinds}
    assert {"first_reminder", "formal_notice"} <= kinds, kinds
    assert len(simulation.sent) > 20


def test_every_run_exits_normally_and_leaves_nothing_running(simulation):
    assert not simulation.runs, _show(simulation.runs)
    assert not simulation.running_after, _show(simulation.running_after)


def test_a_debtor_gets_at_most_one_message_a_day(simulation):
    twice = [(k, n) for k, n in simulation.per_debtor_day.items() if n > 1]
    assert not twice, _show(twice)


def test_no_invoice_is_demanded_before_its_due_date(simulation):
    bad = []
    for (day, ref), share in simulation.sent.items():
        if not share.kinds - {"pre_due"}:
            continue  # a courtesy notice before the due date demands nothing
        for number, due in simulation.invoices.get(ref, []):
            if due >= day and any(number in t for t in share.texts):
                bad.append((day, ref, number, f"due {due}", sorted(share.kinds)))
    assert not bad, _show(bad)


def test_no_step_before_the_previous_messages_deadline(simulation):
    by_claim: dict[str, list[Sent]] = defaultdict(list)
    for share in simulation.sent.values():
        if share.kinds:
            by_claim[share.reference].append(share)
    bad = []
    for ref, shares in by_claim.items():
        shares.sort(key=lambda s: s.day)
        for before, after in pairwise(shares):
            if not before.deadlines:
                continue
            deadline = max(before.deadlines)
            if after.day <= deadline:
                bad.append(
                    (
                        ref,
                        f"{sorted(before.kinds)} on {before.day}, pay by {deadline}",
                        f"then {sorted(after.kinds)} on {after.day}",
                    )
                )
    assert not bad, _show(bad)


def test_the_stage_follows_the_last_message(simulation):
    bad = []
    highest: dict[str, str] = {}
    for (day, ref), share in sorted(simulation.sent.items()):
        if not share.kinds:
            continue
        top = max(share.kinds, key=RANK.__getitem__)
        stage = simulation.stage_after[(day, ref)]
        earlier = highest.get(ref)
        if earlier is not None and RANK[top] < RANK[earlier]:
            bad.append((day, ref, f"{top} after a {earlier}"))
        highest[ref] = max(top, earlier or top, key=RANK.__getitem__)
        if top == "formal_notice" and stage != "formal_notice":
            bad.append((day, ref, f"formal notice sent, stage {stage}"))
        if top != "formal_notice" and stage != "amicable":
            bad.append((day, ref, f"{top} sent, stage {stage}"))
    assert not bad, _show(bad)


def test_a_claim_at_the_formal_notice_stage_has_one_in_its_history(simulation):
    assert not simulation.formal_without_history, _show(
        simulation.formal_without_history
    )


def test_one_amount_on_the_list_the_statement_the_portal_and_the_qr_code(simulation):
    """The list, the statement and the portal show one amount; the e-mail's
    statement of the day is the statement of the invoices already due (invoice
    by invoice) — the same figure whenever every invoice is due; the amount to
    pay by the deadline (interest to that day included, issue 14) is one figure
    in the e-mail and its QR code."""
    bad = []
    for (day, ref), seen in sorted(simulation.amounts.items()):
        share = simulation.sent[(day, ref)]
        figures = dict(seen)
        today = {"demanded": figures.pop("demanded")}
        if share.email_today:
            today["email today"] = share.email_today[-1]
        by_deadline = {}
        if share.qr_amounts:
            by_deadline["qr"] = share.qr_amounts[-1]
        if share.email_amounts:
            by_deadline["email to pay"] = share.email_amounts[-1]
        late = [
            (a, b)
            for a in by_deadline.values()
            for b in today.values()
            if isinstance(a, Decimal) and isinstance(b, Decimal) and a < b
        ]  # interest to the deadline only adds
        if late or any(len(set(g.values())) > 1 for g in (figures, today, by_deadline)):
            every = {**figures, **today, **by_deadline}
            bad.append((day, ref, {k: str(v) for k, v in every.items()}))
    assert simulation.amounts
    assert not bad, _show(bad)


def test_nothing_is_sent_or_due_on_a_public_holiday(simulation):
    """Issue 13, item 3: no letter dated, nor deadline, on 25 December or 1 January
    (public holidays in Belgium and France)."""
    holidays = {date(2025, 12, 25), date(2026, 1, 1)}
    bad = [
        (day, ref, sorted(share.kinds))
        for (day, ref), share in simulation.sent.items()
        if day in holidays and share.kinds
    ]
    bad += [
        (day, ref, f"deadline {d}")
        for (day, ref), share in simulation.sent.items()
        for d in share.deadlines
        if d in holidays
    ]
    assert not bad, _show(bad)


def test_sends_and_deadlines_skip_weekends(simulation):
    """Issue 13, item 3: deadlines and send days skip weekends."""
    bad = [
        (day, ref, sorted(share.kinds))
        for (day, ref), share in simulation.sent.items()
        if day.weekday() >= 5 and share.kinds
    ]
    bad += [
        (day, ref, f"deadline {d} ({d:%A})")
        for (day, ref), share in simulation.sent.items()
        for d in share.deadlines
        if d.weekday() >= 5
    ]
    assert not bad, _show(bad)
