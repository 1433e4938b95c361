"""Payment plans as the debtor receives them: the plan document (PDF read back),
the confirmation, the reminders around each instalment, the thank-you, and a
broken plan handing the claim back to the scenario — over a plan's life, day
by day through the engine's tick, with a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command

from claims.engine.plans import plan_accept
from claims.engine.plans import plan_propose
from claims.law.calendar import is_working_day
from claims.law.calendar import message_deadline
from claims.law.plans import InstalmentSpec
from claims.ledger import webhooks
from claims.ledger.services import payment_record
from claims.ledger.statements import amount_to_pay
from claims.ledger.statements import claim_statement
from claims.models import Action
from claims.models import Claim
from claims.models import Event
from claims.models import PaymentPlan
from claims.models import Stage
from claims.models import WebhookDelivery
from letters.models import Document
from letters.models import OutboundMessage
from letters.plan_notices import plan_pdf
from tests import factories as f
from tests.claims.engine_fixtures import at
from tests.letters.helpers import pdf_text

pytestmark = pytest.mark.django_db

# French words that must not appear in a Dutch or English plan document.
FRENCH = (
    "mensualité",
    "échéance",
    "créancier",
    "débiteur",
    "intérêts",
    "montant",
    "paiement",
    "plan d'apurement",
    " le ",
    " du ",
    " et ",
)
MENTIONS = {
    "fr": ("Plan d'apurement", "Échéancier", "Mensualité manquée", "Acceptation"),
    "nl": ("Afbetalingsplan", "Betalingsschema", "Gemiste afbetaling", "Aanvaarding"),
    "en": ("Payment plan", "Schedule", "Missed instalment", "Acceptance"),
}
START = dt.date(2026, 3, 2)  # a Monday


def _claim(language="fr", amount="1210.00"):
    creditor = f.CreditorFactory(legal_name="Boulangerie Dumont", trade_name="")
    debtor = f.DebtorFactory(
        creditor=creditor, email="ap@client.test", language=language
    )
    return f.ClaimFactory(
        creditor=creditor,
        debtor=debtor,
        structured_reference="+++123/4567/89002+++",
        invoices=[{"amount": Decimal(amount)}],
    )


def _plan(claim, amounts, first, grace=7):
    specs = [
        InstalmentSpec(first + dt.timedelta(days=30 * i), Decimal(a))
        for i, a in enumerate(amounts)
    ]
    return plan_propose(claim=claim, instalments=specs, grace_days=grace)


def _money(text: str) -> list[Decimal]:
    import re

    return [
        Decimal(m.replace(".", "").replace(" ", "").replace(",", "."))
        for m in re.findall(r"(\d{1,3}(?:[. ]\d{3})*,\d{2}) €", text)
    ]


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_plan_document_reads_in_the_debtors_language(language):
    claim = _claim(language)
    plan = _plan(claim, ["400.00", "400.00", "410.00"], START + dt.timedelta(days=10))
    plan_accept(plan=plan, today=START, by_click=True, ip="203.0.113.7")
    plan.refresh_from_db()
    pdf = plan_pdf(plan=plan, at=START)
    text = pdf_text(pdf)
    for mention in MENTIONS[language]:
        assert mention in text, (language, mention)
    assert "203.0.113.7" in text  # the click, with its address
    assert "Boulangerie Dumont" in text
    assert "BE68" in text.replace(" ", "")
    if language != "fr":
        low = f" {text.lower()} "
        assert not [w for w in FRENCH if w in low], text
    # The schedule's total is the sum of its lines, written the debtor's way
    # (French thousands: a narrow no-break space, read back as a space).
    total = {"fr": "1 210,00 €", "nl": "€ 1.210,00", "en": "€1,210.00"}[language]
    assert total in text


def _tick(day: dt.date) -> None:
    with time_machine.travel(at(day, 23), tick=False):
        call_command("collect", "--at", day.isoformat(), stdout=io.StringIO())


def _subject(msg) -> str:
    from email.header import decode_header
    from email.header import make_header

    return " ".join(str(make_header(decode_header(msg["Subject"]))).split())


def test_a_plans_life_through_the_tick(
    smtp_inbox, engine_seed, django_capture_on_commit_callbacks
):
    """Reminders on the right working days, none once paid, a missed one
    reminded then breaking the plan after the grace, the scenario resuming."""
    with time_machine.travel(at(START, 10), tick=False):
        claim = _claim("fr")
        plan = plan_propose(
            claim=claim,
            instalments=[
                InstalmentSpec(dt.date(2026, 3, 16), Decimal("400.00")),  # Monday
                InstalmentSpec(dt.date(2026, 4, 7), Decimal("400.00")),  # Easter Tue
                InstalmentSpec(dt.date(2026, 5, 4), Decimal("410.00")),
            ],
            grace_days=7,
        )
        plan_accept(plan=plan, today=START, by_click=True, ip="198.51.100.4")
        webhooks.endpoint_create(
            creditor_id=claim.creditor_id,
            url="https://compta.example/h",
            event_types=["plan.broken"],
        )
    hooks: list[int] = []
    sent: dict[dt.date, list[str]] = {}
    day = START
    while day <= dt.date(2026, 4, 20):
        if day == dt.date(2026, 3, 14):  # the first instalment paid on a Saturday
            with time_machine.travel(at(day, 12), tick=False):
                payment_record(claim=claim, amount=Decimal("400.00"), on=day)
        before = len(smtp_inbox.messages)
        with (
            # The outbox rows are written with the change; collect the ids
            # queued once it commits instead of sending them.
            mock.patch.object(
                webhooks, "_queue", side_effect=lambda pks, **kw: hooks.extend(pks)
            ),
            django_capture_on_commit_callbacks(execute=True),
        ):
            _tick(day)
        if len(smtp_inbox.messages) > before:
            sent[day] = [_subject(m) for _e, m in smtp_inbox.messages[before:]]
        day += dt.timedelta(days=1)
    days = sorted(sent)
    # The confirmation the day of acceptance (the tick's sweep), with the PDF.
    assert "confirmation de votre plan" in sent[START][0]
    confirmation = smtp_inbox.messages[0][1]
    names = [p.get_filename() for p in confirmation.walk() if p.get_filename()]
    assert names
    assert names[0].startswith("plan-")
    # 3 days before the 16/03 instalment: Friday 13/03; none after it is paid.
    assert "mensualité du 16/03/2026" in sent[dt.date(2026, 3, 13)][0]
    assert not any(
        "impayée" in s for d in days for s in sent[d] if d < dt.date(2026, 4, 7)
    )
    # 07/04: 04/04 is a Saturday → Friday 03/04; the missed one on Wednesday 08/04.
    assert "mensualité du 07/04/2026" in sent[dt.date(2026, 4, 3)][0]
    assert "impayée" in sent[dt.date(2026, 4, 8)][0]
    assert all(is_working_day(d, "BE") for d in days)
    # Grace of 7 days after 07/04: broken on 15/04, collection resumes.
    plan.refresh_from_db()
    claim.refresh_from_db()
    assert plan.status == PaymentPlan.Status.BROKEN
    assert claim.stage != Stage.PAYMENT_PLAN
    broken = Event.objects.get(claim=claim, message__contains="rompu")
    assert broken.at.date() >= dt.date(2026, 4, 15)
    resumed = [d for d in days if d >= dt.date(2026, 4, 15)]
    assert resumed, "the scenario sends again after the plan broke"
    # The first step after the break: sent from 15/04, its deadline computed
    # afresh from that day (claims.law.calendar), not the one before the plan.
    first = Action.objects.filter(claim=claim, state="done").order_by("done_at")[0]
    done_on = first.done_at.astimezone(at(START).tzinfo).date()
    assert done_on >= dt.date(2026, 4, 15)
    assert first.deadline_on == message_deadline(
        done_on,
        first.step.deadline_days,
        "BE",
        kind=first.step.kind,
        debtor_kind=claim.debtor.kind,
        channel=first.step.channel,
    )
    # The timeline and the webhooks say the plan broke.
    assert [d.event_type for d in WebhookDelivery.objects.filter(pk__in=hooks)] == [
        "plan.broken"
    ]
    # Each notice once: the same Message-ID never twice.
    ids = [m["Message-ID"] for _e, m in smtp_inbox.messages]
    assert len(ids) == len(set(ids))
    # The plan document is archived, with its hash, shown in the portal.
    doc = Document.objects.get(claim=claim, kind="plan")
    assert doc.sha256
    assert doc.sent_at is not None


def test_the_thank_you_leaves_once_on_full_payment(smtp_inbox, settings):
    from celery import current_app

    current_app.conf.task_always_eager = True
    try:
        claim = _claim("nl", amount="121.00")
        with pytest.MonkeyPatch.context():
            from django.test import TestCase

            with TestCase.captureOnCommitCallbacks(execute=True):
                day = dt.date(2026, 3, 2)
                with time_machine.travel(at(day, 12), tick=False):
                    due = amount_to_pay(claim_statement(claim=claim, at=day))
                    payment_record(claim=claim, amount=due, on=day, today=day)
    finally:
        current_app.conf.task_always_eager = False
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CLOSED
    assert len(smtp_inbox.messages) == 1
    assert "betaling" in _subject(smtp_inbox.messages[0][1]).lower()
    # The tick's sweep the next days sends nothing more.
    _tick(dt.date(2026, 3, 3))
    _tick(dt.date(2026, 3, 4))
    assert len(smtp_inbox.messages) == 1
    assert OutboundMessage.objects.filter(template="thank_you").count() == 1


def test_the_owner_prints_the_plan_from_the_claim_page(client, cast):
    debtor = f.DebtorFactory(creditor=cast.creditor, language="en")
    claim = f.ClaimFactory(creditor=cast.creditor, debtor=debtor)
    plan = _plan(claim, ["300.00", "300.00"], START + dt.timedelta(days=10))
    plan_accept(plan=plan, today=START)
    client.force_login(cast.owner)
    page = client.get(claim.get_absolute_url()).text
    url = f"/letters/plans/{plan.code}/pdf/"
    assert url in page
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Payment plan" in text
    assert "Date and signature" in text  # a paper copy to sign
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404


def _parts(msg) -> dict[str, str]:
    return {
        p.get_content_type(): p.get_payload(decode=True).decode().replace("\xa0", " ")
        for p in msg.walk()
        if p.get_content_type() in ("text/plain", "text/html")
    }


@pytest.mark.parametrize(
    ("language", "owed", "never"),
    [
        ("fr", "Montant dû aujourd'hui", "aucune autre démarche"),
        ("nl", "Vandaag verschuldigd bedrag", "geen andere"),
        ("en", "Amount due today", "no other collection step"),
    ],
)
def test_the_confirmation_says_what_remains_owed(smtp_inbox, language, owed, never):
    """Interest and costs are owed (business debtor, 40 € and interest): the
    confirmation states the amount due and the interest per day, never that
    nothing more will happen; its PDF is the archived plan document."""
    from claims.engine.execution import Notice
    from letters.plan_notices import notices_deliver

    with time_machine.travel(at(START, 10), tick=False):
        claim = _claim(language)
        plan = _plan(claim, ["600.00", "610.00"], START + dt.timedelta(days=14))
        plan_accept(plan=plan, today=START, by_click=True, ip="203.0.113.9")
        notice = Notice("plan_confirmation", claim.pk, plan.pk, START)
        assert notices_deliver([notice]) == 1
        assert notices_deliver([notice]) == 0  # the tick's sweep: once only
    assert len(smtp_inbox.messages) == 1
    msg = smtp_inbox.messages[0][1]
    parts = _parts(msg)
    statement = claim_statement(claim=claim, at=START)
    assert statement.interest_due > 0
    assert statement.costs_due > 0
    for body in parts.values():
        assert owed in body
        assert never not in body.lower()
    text = parts["text/plain"]
    # The schedule's total, written the debtor's way (claims.l10n.format_amount).
    assert {"fr": "1\u202f210,00", "nl": "1.210,00", "en": "1,210.00"}[language] in text
    if language != "fr":
        assert " :" not in text  # no French spacing before a colon
    attached = next(p for p in msg.walk() if p.get_filename())
    doc = Document.objects.get(claim=claim, kind="plan")
    import hashlib

    assert hashlib.sha256(attached.get_payload(decode=True)).hexdigest() == doc.sha256


def test_a_send_left_uncertain_is_never_repeated(smtp_inbox):
    """A worker lost after the intent (message queued, maybe sent): the notice
    is not sent again by the tick nor by the task."""
    from claims.engine.execution import Notice
    from letters.plan_notices import notices_deliver

    claim = _claim("fr")
    plan = _plan(claim, ["1210.00"], START + dt.timedelta(days=14))
    plan_accept(plan=plan, today=START)
    notice = Notice("plan_confirmation", claim.pk, plan.pk, START)
    OutboundMessage.objects.create(
        creditor=claim.creditor,
        debtor=claim.debtor,
        template="plan_confirmation",
        subject="…",
        message_id=notice.message_id(claim.creditor_id),
    )
    assert notices_deliver([notice]) == 0
    assert smtp_inbox.messages == []


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", ["plan_reminder", "plan_missed"])
def test_instalment_reminders_speak_the_debtors_language(smtp_inbox, language, kind):
    from claims.engine.execution import Notice
    from letters.plan_notices import notices_deliver

    claim = _claim(language)
    plan = _plan(claim, ["600.00", "610.00"], START + dt.timedelta(days=3))
    plan_accept(plan=plan, today=START)
    first = plan.instalments.order_by("due_on").first()
    day = first.due_on + dt.timedelta(days=1 if kind == "plan_missed" else -2)
    assert notices_deliver([Notice(kind, claim.pk, first.pk, day)]) == 1
    msg = smtp_inbox.messages[0][1]
    subject = _subject(msg).lower()
    for body in [subject, *_parts(msg).values()]:
        low = f" {body.lower()} "
        assert not [w for w in FRENCH if w in low], body
    text = _parts(msg)["text/plain"]
    assert "600,00" in text or "600.00" in text
    # Paid before the reminder leaves: nothing is sent.
    payment_record(claim=claim, amount=Decimal("1210.00"), on=START)
    second = plan.instalments.order_by("due_on").last()
    assert notices_deliver([Notice("plan_reminder", claim.pk, second.pk, day)]) == 0
