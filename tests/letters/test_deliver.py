"""The deliverer: one email per debtor, real SMTP on loopback, proof kept."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from claims.engine.execution import Delivery
from claims.engine.execution import get_deliverer
from claims.models import Event
from letters.models import Document
from letters.models import OutboundMessage
from tests import factories as f
from tests.letters.helpers import pdf_qr_codes
from tests.letters.helpers import pdf_text

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


def two_claims(**step):
    creditor = f.CreditorFactory(
        legal_name="Boulangerie Dumont", reply_to="compta@dumont.test"
    )
    debtor = f.DebtorFactory(creditor=creditor, email="ap@client.test")
    scenario = f.ScenarioFactory(creditor=creditor)
    s = f.ScenarioStepFactory(scenario=scenario, **step)
    actions = [
        f.ActionFactory(
            claim=f.ClaimFactory(
                creditor=creditor,
                debtor=debtor,
                structured_reference=ref,
                invoices=[{"amount": amount}],
            ),
            step=s,
        )
        for ref, amount in (
            ("+++123/4567/89002+++", Decimal("1210.00")),
            ("+++000/0000/00097+++", Decimal("99.99")),
        )
    ]
    return creditor, debtor, actions


def deliver(creditor, debtor, actions):
    return get_deliverer()(
        Delivery(
            creditor_id=creditor.pk,
            debtor_id=debtor.pk,
            action_ids=tuple(a.pk for a in actions),
            today=TODAY,
        )
    )


def test_it_sends_one_email_for_all_claims_of_the_debtor(smtp_inbox):
    creditor, debtor, actions = two_claims()
    result = deliver(creditor, debtor, actions)
    assert result.delivered
    assert len(smtp_inbox.messages) == 1
    envelope, msg = smtp_inbox.messages[0]
    assert envelope.rcpt_tos == ["ap@client.test"]
    assert msg["From"].startswith("Boulangerie Dumont <")
    assert msg["Reply-To"] == "compta@dumont.test"
    assert msg["Message-ID"] == result.message_id
    parts = {
        p.get_content_type(): " ".join(p.get_payload(decode=True).decode().split())
        for p in msg.walk()
        if not p.is_multipart()
    }
    assert "1 210,00 €" in parts["text/plain"]  # French: narrow no-break space
    assert "99,99 €" in parts["text/plain"]
    assert "+++123/4567/89002+++" in parts["text/html"]
    record = OutboundMessage.objects.get()
    assert record.status == "sent"
    assert record.message_id == result.message_id
    assert record.claims.count() == 2
    assert Event.objects.filter(kind="email").count() == 2


def test_it_attaches_and_archives_the_letter_when_the_step_asks(smtp_inbox):
    creditor, debtor, actions = two_claims(
        kind="formal_notice", channel="email_post", template="formal_notice"
    )
    result = deliver(creditor, debtor, actions[:1])
    _env, msg = smtp_inbox.messages[0]
    pdfs = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1
    sent = pdfs[0].get_payload(decode=True)
    doc = Document.objects.get(pk=result.document_ids[0])
    assert doc.sha256 == hashlib.sha256(sent).hexdigest()
    assert doc.kind == "formal_notice"
    assert doc.file.read() == sent
    text = pdf_text(sent)
    assert "Mise en demeure" in text
    assert "1 210,00 €" in text
    from claims.engine.run import step_deadline
    from claims.ledger.statements import message_statement

    # The amount to pay by the deadline: interest up to that day included.
    step = actions[0].step
    due = message_statement(
        claim=actions[0].claim,
        kind="formal_notice",
        sent_on=TODAY,
        channel=step.channel,
        until=step_deadline(step, actions[0].claim, TODAY),
    ).total_due
    assert pdf_qr_codes(sent)[0].split("\n")[7] == f"EUR{due:.2f}"
    assert "mise en demeure" in msg["Subject"]


def test_a_refused_recipient_is_a_permanent_failure_visible_on_the_claim(smtp_inbox):
    creditor, debtor, actions = two_claims()
    smtp_inbox.reject.add("ap@client.test")
    result = deliver(creditor, debtor, actions)
    assert not result.delivered
    assert result.permanent
    assert OutboundMessage.objects.get().status == "bounced"
    assert (
        actions[0].claim.events.filter(kind="email", message__contains="échec").exists()
    )


def test_a_down_server_is_a_transient_failure(settings, db):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    creditor, debtor, actions = two_claims()
    result = deliver(creditor, debtor, actions)
    assert not result.delivered
    assert not result.permanent
    assert OutboundMessage.objects.get().status == "failed"


def test_the_email_speaks_the_debtor_language(smtp_inbox):
    creditor, debtor, actions = two_claims()
    debtor.language = "nl"
    debtor.save(update_fields=["language"])
    deliver(creditor, debtor, actions)
    _env, msg = smtp_inbox.messages[0]
    assert "betalingsherinnering" in msg["Subject"]
    text = next(
        p.get_payload(decode=True).decode()
        for p in msg.walk()
        if p.get_content_type() == "text/plain"
    )
    assert "Gelieve dit bedrag uiterlijk op 17 maart 2026 te betalen." in text


def test_a_thank_you_is_sent_once_even_if_the_task_runs_twice(smtp_inbox):
    from letters.tasks import claim_email_send_task

    _creditor, _debtor, actions = two_claims()
    claim = actions[0].claim
    claim_email_send_task(claim.pk, "thank_you", "2026-03-02")
    claim_email_send_task(claim.pk, "thank_you", "2026-03-02")
    assert len(smtp_inbox.messages) == 1
    assert "merci pour votre paiement" in smtp_inbox.messages[0][1]["Subject"]
    assert claim.messages.get().status == "sent"


def test_the_message_rows_exist_before_sending_and_the_message_id_is_derived(
    smtp_inbox,
):
    """Phase 1 writes the OutboundMessage and the archived PDF before any byte
    leaves (a worker killed after the server's 250 keeps them); the Message-ID
    comes from the actions and the attempt (a resend gets a new one)."""
    creditor, debtor, actions = two_claims(
        kind="formal_notice", channel="email_post", template="formal_notice"
    )
    delivery = Delivery(
        creditor_id=creditor.pk,
        debtor_id=debtor.pk,
        action_ids=tuple(a.pk for a in actions),
        today=TODAY,
        attempt=1,
    )
    deliverer = get_deliverer()
    prepared = deliverer.prepare(delivery)
    assert smtp_inbox.messages == []
    record = OutboundMessage.objects.get()
    assert (record.status, record.message_id) == ("queued", delivery.message_id())
    assert set(record.actions.values_list("pk", flat=True)) == {a.pk for a in actions}
    docs = Document.objects.filter(action_id__in=[a.pk for a in actions])
    assert docs.count() == 2
    assert set(record.documents.all()) == set(docs)
    assert not docs.filter(sent_at__isnull=False).exists()
    result = deliverer.send(delivery, prepared)
    assert result.delivered
    assert smtp_inbox.messages[0][1]["Message-ID"] == delivery.message_id()
    record.refresh_from_db()
    assert record.status == "sent"
    assert not docs.filter(sent_at__isnull=True).exists()
    again = Delivery(
        creditor_id=creditor.pk,
        debtor_id=debtor.pk,
        action_ids=delivery.action_ids,
        today=TODAY,
        attempt=2,
    )
    assert again.message_id() != delivery.message_id()
    assert (
        again.message_id()
        == Delivery(
            creditor.pk, debtor.pk, tuple(reversed(again.action_ids)), TODAY, 2
        ).message_id()
    )


def test_an_accented_address_goes_with_smtputf8_when_the_server_offers_it(
    smtp_inbox,
):
    creditor, debtor, actions = two_claims()
    debtor.email = "chloé.thomas@client.test"
    debtor.save(update_fields=["email"])
    result = deliver(creditor, debtor, actions)
    assert result.delivered
    ((envelope, _message),) = smtp_inbox.messages
    assert envelope.rcpt_tos == ["chloé.thomas@client.test"]
    assert "SMTPUTF8" in envelope.mail_options
    record = OutboundMessage.objects.get()
    assert record.status == "sent"
    with record.eml.open("rb") as fh:  # the archive is what left: UTF-8 headers
        assert "To: chloé.thomas@client.test".encode() in fh.read()


def test_an_accented_address_fails_permanently_without_smtputf8(settings):
    from aiosmtpd.controller import Controller

    from tests.letters.conftest import Inbox
    from tests.letters.conftest import _free_port

    inbox, port = Inbox(), _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, enable_SMTPUTF8=False
    )
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        creditor, debtor, actions = two_claims()
        debtor.email = "chloé@client.test"
        debtor.save(update_fields=["email"])
        result = deliver(creditor, debtor, actions)
    finally:
        controller.stop()
    assert not result.delivered
    assert result.permanent
    assert "SMTPUTF8" in result.error
    assert inbox.messages == []
    assert OutboundMessage.objects.get().status == "bounced"


def test_a_connection_lost_during_data_is_uncertain_not_a_failure(smtp_inbox):
    """After DATA the server may hold the message: never reported as a
    transient failure (that would be retried, hence maybe sent twice)."""
    import smtplib
    from unittest import mock

    creditor, debtor, actions = two_claims()
    lost = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    with mock.patch.object(smtplib.SMTP, "data", side_effect=lost):
        result = deliver(creditor, debtor, actions)
    assert (result.delivered, result.uncertain, result.permanent) == (
        False,
        True,
        False,
    )
    record = OutboundMessage.objects.get()
    assert record.status == "queued"
    assert "Envoi incertain" in record.error
