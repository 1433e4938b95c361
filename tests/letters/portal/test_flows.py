"""The debtor's answers and the creditor's replies, through the views."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from claims.models import Claim
from claims.models import Dispute
from claims.models import Event
from claims.models import PaymentPlan
from claims.models import PortalToken
from letters.models import Document
from tests.figures import statement_balance

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 10)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(
        dt.datetime(2026, 4, 10, 10, 0, tzinfo=dt.UTC), tick=False
    ):
        yield


def test_i_have_paid_pauses_reminders_five_days(portal, claim):
    response = portal.post(
        f"/p/c/{claim.code}/paid/",
        {"paid_on": "2026-04-08", "amount": "1815.00"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.paused_until == dt.date(2026, 4, 15)
    assert claim.paid == Decimal("0.00")  # a declaration is not a payment
    event = Event.objects.get(claim=claim, message__contains="déclare avoir payé")
    assert event.actor_label == "débiteur"
    assert event.data["declared_payment"] == "1815.00"


@pytest.mark.parametrize(
    ("paid_on", "amount", "field", "words"),
    [
        ("2019-06-01", "100.00", "paid_on", "première facture"),  # invoice 15/01/2026
        ("2026-04-11", "100.00", "paid_on", "futur"),
        ("2026-04-08", "1E+15", "amount", ""),
        ("2026-04-08", "NaN", "amount", ""),
    ],
)
def test_a_nonsense_declaration_is_refused_on_its_field(
    portal, claim, paid_on, amount, field, words
):
    response = portal.post(
        f"/p/c/{claim.code}/paid/", {"paid_on": paid_on, "amount": amount}
    )
    assert response.status_code == 400
    errors = response.context["paid_form"].errors
    assert field in errors
    assert words in " ".join(errors[field])
    claim.refresh_from_db()
    assert claim.paused_until is None
    assert not Event.objects.filter(claim=claim, message__contains="déclare").exists()


def test_disputing_one_invoice_stops_automatic_steps(
    portal, claim, mailoutbox, django_capture_on_commit_callbacks
):
    invoice = claim.invoices.get(number="C-PORTAL-1-2")
    with django_capture_on_commit_callbacks(execute=True):
        portal.post(
            f"/p/c/{claim.code}/dispute/",
            {
                "invoice": str(invoice.code),
                "amount": "605.00",
                "reason": "Jamais livré",
            },
        )
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [claim.creditor.email]
    assert "Contestation" in mailoutbox[0].subject
    dispute = Dispute.objects.get()
    assert (dispute.invoice, dispute.amount, dispute.source) == (
        invoice,
        Decimal("605.00"),
        "portal",
    )
    claim.refresh_from_db()
    assert (claim.stage, claim.resume_stage) == ("disputed", "amicable")
    kinds = set(Event.objects.filter(claim=claim).values_list("kind", flat=True))
    assert {"dispute", "stage"} <= kinds


def test_a_plan_request_splits_the_balance_exactly(portal, claim):
    portal.post(f"/p/c/{claim.code}/plan/", {"count": "7", "first_on": "2026-05-01"})
    plan = PaymentPlan.objects.get()
    assert plan.status == "requested"
    assert plan.requested_by_debtor is True
    amounts = list(plan.instalments.values_list("amount", flat=True))
    # The whole amount due (principal, interest and indemnity of the statement)
    # is split to the cent: the first instalments carry the odd cents.
    from claims.ledger.statements import claim_statement

    due = claim_statement(claim=claim, at=dt.date(2026, 4, 10)).total_due
    assert sum(amounts) == due
    assert max(amounts) - min(amounts) <= Decimal("0.01")
    assert amounts == sorted(amounts, reverse=True)
    assert plan.instalments.last().due_on == dt.date(2026, 11, 1)


def test_a_plan_starting_too_late_is_refused(portal, claim):
    response = portal.post(
        f"/p/c/{claim.code}/plan/", {"count": "3", "first_on": "2026-12-01"}
    )
    assert response.status_code == 400
    assert not PaymentPlan.objects.exists()


def test_the_creditor_rejects_a_dispute_and_collection_resumes(
    portal, claim, client, cast
):
    portal.post(f"/p/c/{claim.code}/dispute/", {"reason": "Trop cher"})
    dispute = Dispute.objects.get()
    client.force_login(cast.owner)
    inbox = client.get("/p/manage/")
    assert "Trop cher" in inbox.text
    no_reason = client.post(
        f"/p/manage/disputes/{dispute.code}/", {"decision": "rejected"}
    )
    assert no_reason.status_code == 400
    client.post(
        f"/p/manage/disputes/{dispute.code}/",
        {"decision": "rejected", "answer": "Prix convenu au devis signé"},
    )
    claim.refresh_from_db()
    assert claim.stage == "amicable"
    page = portal.get(f"/p/c/{claim.code}/")
    assert "Prix convenu au devis signé" in page.text


def test_a_credit_note_settles_a_partial_dispute(portal, claim, client, cast):
    portal.post(f"/p/c/{claim.code}/dispute/", {"amount": "100.00", "reason": "Remise"})
    dispute = Dispute.objects.get()
    client.force_login(cast.owner)
    client.post(
        f"/p/manage/disputes/{dispute.code}/", {"decision": "credited", "answer": "OK"}
    )
    claim.refresh_from_db()
    # 1,815.00 invoiced − the 100.00 credit note; the balance is the statement's.
    assert claim.principal == Decimal("1715.00")
    assert claim.balance == statement_balance(claim)
    assert claim.invoices.filter(kind="credit_note", amount=Decimal("100.00")).exists()


def test_a_credit_note_above_the_disputed_invoice_is_refused(
    portal, claim, client, cast
):
    invoice = claim.invoices.get(number="C-PORTAL-1-2")  # 605.00
    portal.post(
        f"/p/c/{claim.code}/dispute/", {"invoice": str(invoice.code), "reason": "Abîmé"}
    )
    dispute = Dispute.objects.get()
    client.force_login(cast.owner)
    response = client.post(
        f"/p/manage/disputes/{dispute.code}/",
        {"decision": "credited", "answer": "OK", "credit_amount": "5000.00"},
    )
    assert response.status_code == 400
    assert "605.00" in response.context["form"].errors["credit_amount"][0]
    dispute.refresh_from_db()
    assert dispute.status == "open"  # nothing written
    assert not claim.invoices.filter(kind="credit_note").exists()


def test_a_counter_proposal_is_accepted_by_the_debtor(portal, claim, client, cast):
    portal.post(f"/p/c/{claim.code}/plan/", {"count": "12", "first_on": "2026-05-01"})
    plan = PaymentPlan.objects.get()
    client.force_login(cast.owner)
    client.post(
        f"/p/manage/plans/{plan.code}/",
        {
            "decision": "counter",
            "count": "3",
            "first_on": "2026-05-01",
            "note": "3 mois max",
        },
    )
    plan.refresh_from_db()
    assert plan.status == "proposed"
    from claims.ledger.statements import claim_statement

    counter = list(plan.instalments.values_list("amount", flat=True))
    assert len(counter) == 3
    assert sum(counter) == claim_statement(claim=claim, at=TODAY).total_due
    assert max(counter) - min(counter) <= Decimal("0.01")
    assert "3 mois max" in portal.get(f"/p/c/{claim.code}/").text
    portal.post(f"/p/plan/{plan.code}/accept/")
    plan.refresh_from_db()
    claim.refresh_from_db()
    assert plan.status == "active"
    assert claim.stage == "payment_plan"


def test_creditor_pages_are_scoped_and_respect_roles(portal, claim, client, cast):
    portal.post(f"/p/c/{claim.code}/dispute/", {"reason": "Trop cher"})
    dispute = Dispute.objects.get()
    url = f"/p/manage/disputes/{dispute.code}/"
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    assert (
        client.post(f"/p/manage/debtors/{claim.debtor.code}/links/").status_code == 404
    )
    client.force_login(cast.readonly)
    assert client.get(url).status_code == 200
    assert client.post(url, {"decision": "accepted"}).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_creditor_issues_and_revokes_a_link(client, cast, claim):
    client.force_login(cast.owner)
    page = client.post(
        f"/p/manage/debtors/{claim.debtor.code}/links/", {"claim": str(claim.code)}
    )
    token = PortalToken.objects.get()
    assert "http://" in page.text
    assert token.short_code in page.text
    client.post(f"/p/manage/links/{token.short_code}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_only_sent_documents_are_downloadable(portal, claim):
    sent = Document(
        creditor=claim.creditor,
        claim=claim,
        debtor=claim.debtor,
        kind="reminder",
        title="Premier rappel",
        sha256="0" * 64,
        sent_at=timezone.now(),
    )
    sent.file.save("r.pdf", ContentFile(b"%PDF-1.4 rappel"), save=True)
    draft = Document(
        creditor=claim.creditor,
        claim=claim,
        debtor=claim.debtor,
        kind="reminder",
        title="Brouillon",
        sha256="1" * 64,
    )
    draft.file.save("d.pdf", ContentFile(b"%PDF-1.4 draft"), save=True)
    response = portal.get(f"/p/d/{sent.code}/")
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 rappel"
    assert portal.get(f"/p/d/{draft.code}/").status_code == 404
    assert Event.objects.filter(
        claim=claim, message__contains="Premier rappel"
    ).exists()


def test_language_switcher_and_privacy_notice_name_the_creditor(portal, claim):
    page = portal.get("/p/privacy/?lang=nl")
    assert page["Content-Language"] == "nl"
    assert "verwerkingsverantwoordelijke" in page.text
    assert "Boulangerie Dumont SRL" in page.text
    assert "0403.170.701" in page.text or "0403170701" in page.text
    assert "6.1.f" in page.text
    assert (
        '<html lang="nl">' in portal.get(f"/p/c/{claim.code}/").text
    )  # kept in session
    assert "GDPR art. 6(1)(b)" in portal.get("/p/privacy/?lang=en").text


def test_the_payment_block_has_the_qr_for_the_exact_amount(portal, claim):
    page = portal.get(f"/p/c/{claim.code}/").text
    assert "BE68 5390 0754 7034" in page  # grouped by four, as on the letters
    assert "+++090/9337/55493+++" in page
    assert "<svg" in page
    assert Claim.objects.get(pk=claim.pk).stage == "amicable"


def test_refusals_cost_the_same_queries_and_are_logged(
    client, link, claim, caplog, django_assert_num_queries
):
    token, raw = link
    from letters.portal.tokens import portal_token_resolve

    with django_assert_num_queries(1):  # the lookup by hash
        assert portal_token_resolve("x" * 43) is None
    token.expires_at = timezone.now() - dt.timedelta(seconds=1)
    token.save(update_fields=["expires_at"])
    with django_assert_num_queries(1):
        assert portal_token_resolve(raw) is None
    assert "refused token" in caplog.text


def test_the_creditor_downloads_the_proof_of_payment(portal, claim, client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
    portal.post(
        f"/p/c/{claim.code}/paid/",
        {
            "paid_on": "2026-04-09",
            "amount": "1815.00",
            "proof": SimpleUploadedFile("virement.jpeg", jpeg, "image/jpeg"),
        },
    )
    name = Event.objects.get(message__contains="déclare").data["proof_name"]
    url = f"/p/manage/claims/{claim.code}/proofs/{name}"
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.owner)
    assert name in client.get("/p/manage/").text
    response = client.get(url)
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == jpeg
    assert (
        client.get(f"/p/manage/claims/{claim.code}/proofs/..%2F..%2Fx.pdf").status_code
        == 404
    )


def test_an_oversized_body_is_refused_before_parsing(portal, claim):
    response = portal.generic(
        "POST",
        f"/p/c/{claim.code}/dispute/",
        b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(7 * 1024 * 1024),
    )
    assert response.status_code == 413


def test_repeated_tiny_declarations_never_pause_for_ever(
    portal, claim, django_capture_on_commit_callbacks
):
    """0.01 declared again and again: no pause, the creditor sees the pattern."""
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        first = portal.post(
            f"/p/c/{claim.code}/paid/", {"paid_on": "2026-04-08", "amount": "0.01"}
        )
    assert first.status_code == 302
    claim.refresh_from_db()
    assert claim.paused_until is None
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            portal.post(
                f"/p/c/{claim.code}/paid/", {"paid_on": "2026-04-09", "amount": "0.01"}
            )
    claim.refresh_from_db()
    assert claim.paused_until is None
    events = Event.objects.filter(claim=claim, data__has_key="declared_payment")
    assert events.count() == 4
    assert all(e.data["pause_refused"] for e in events)
    assert max(e.data["declarations_60_days"] for e in events) == 4
    assert any("4 déclaration(s) en 60 jours" in m.subject for m in mail.outbox)


def test_one_pause_per_sixty_days_and_only_for_recent_payments(portal, claim):
    ok = portal.post(
        f"/p/c/{claim.code}/paid/", {"paid_on": "2026-04-08", "amount": "1815.00"}
    )
    assert ok.status_code == 302
    claim.refresh_from_db()
    assert claim.paused_until == dt.date(2026, 4, 15)
    with time_machine.travel(
        dt.datetime(2026, 4, 20, 10, 0, tzinfo=dt.UTC), tick=False
    ):
        portal.post(
            f"/p/c/{claim.code}/paid/", {"paid_on": "2026-04-19", "amount": "1815.00"}
        )
        claim.refresh_from_db()
        assert claim.paused_until == dt.date(2026, 4, 15)  # not extended
        # A payment said to be two months old is not a reason to pause.
        portal.post(
            f"/p/c/{claim.code}/paid/", {"paid_on": "2026-02-10", "amount": "1815.00"}
        )
    refusals = list(
        Event.objects.filter(claim=claim, data__has_key="declared_payment")
        .order_by("at", "pk")
        .values_list("data__pause_refused", flat=True)
    )
    assert refusals[0] == ""
    assert "60 derniers jours" in refusals[1]
    assert "30 jours" in refusals[2]
