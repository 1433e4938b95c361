"""Access to the portal: tampered, expired, revoked, other-debtor tokens; uploads;
rate limiting; short codes. All refusals look the same."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import Dispute
from claims.models import Event
from letters.portal.guard import RATE_LIMIT
from letters.portal.tokens import portal_token_issue
from letters.portal.tokens import portal_token_revoke
from letters.portal.tokens import token_hash
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _refused(response):
    assert response.status_code == 404
    assert "Ce lien n'est pas ou plus valable" in response.text
    return response.text


def test_it_stores_only_the_hash_and_an_unambiguous_short_code(link):
    token, raw = link
    assert len(raw) >= 43
    assert token.token_hash == token_hash(raw) != raw
    assert len(token.short_code) == 8
    assert not set(token.short_code) & set("01OIL")


def test_a_valid_link_opens_the_claim_and_leaves_the_token_out_of_the_url(
    client, link, claim
):
    _token, raw = link
    response = client.get(f"/p/t/{raw}/")
    assert response["Location"] == f"/p/c/{claim.code}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    from django.utils import timezone

    from claims.ledger.statements import claim_statement

    due = claim_statement(claim=claim, at=timezone.localdate()).total_due
    from claims.l10n import format_amount

    assert f'id="total-due">{format_amount(due, lang="fr")}' in page.text  # French
    assert page["Cache-Control"] == "no-store, private"
    assert page["Referrer-Policy"] == "same-origin"


def test_tampered_expired_and_revoked_links_get_the_same_page(client, link, claim):
    token, raw = link
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    bodies = [_refused(client.get(f"/p/t/{tampered}/"))]
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=91)):
        bodies.append(_refused(client.get(f"/p/t/{raw}/")))
    portal_token_revoke(token=token)
    bodies.append(_refused(client.get(f"/p/t/{raw}/")))
    # No enumeration: the three refusals are byte-for-byte identical.
    assert len(set(bodies)) == 1


def test_revoking_ends_an_open_session_at_once(portal, link, claim):
    token, _raw = link
    assert portal.get(f"/p/c/{claim.code}/").status_code == 200
    assert portal_token_revoke(token=token) is True
    assert portal_token_revoke(token=token) is False  # already revoked
    _refused(portal.get(f"/p/c/{claim.code}/"))
    assert Event.objects.filter(claim=claim, message__contains="révoqué").count() == 1


def test_a_token_never_opens_another_debtors_claim(portal, cast, claim):
    other_claim = f.ClaimFactory(creditor=cast.creditor, reference="C-OTHER")
    foreign = f.ClaimFactory(creditor=cast.other_creditor, reference="C-FOREIGN")
    for target in (other_claim, foreign):
        assert portal.get(f"/p/c/{target.code}/").status_code == 404
        assert (
            portal.post(f"/p/c/{target.code}/dispute/", {"reason": "x"}).status_code
            == 404
        )
    assert not Dispute.objects.exists()


def test_an_all_claims_token_shows_only_this_debtors_open_claims(client, cast, claim):
    second = f.ClaimFactory(
        creditor=cast.creditor, debtor=claim.debtor, reference="C-PORTAL-2"
    )
    f.ClaimFactory(creditor=cast.creditor, reference="C-NOT-MINE")
    _token, raw = portal_token_issue(debtor=claim.debtor)
    home = client.get(client.get(f"/p/t/{raw}/")["Location"])
    assert "C-PORTAL-1" in home.text
    assert "C-PORTAL-2" in home.text
    assert "C-NOT-MINE" not in home.text
    assert client.get(f"/p/c/{second.code}/").status_code == 200


def test_pages_without_a_portal_session_are_refused(client, claim):
    _refused(client.get(f"/p/c/{claim.code}/"))
    _refused(client.get("/p/"))


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("proof.pdf", b"<html><script>alert(1)</script>", "Seuls les fichiers PDF"),
        ("proof.png", b"MZ\x90\x00 executable", "Seuls les fichiers PDF"),
        ("big.pdf", PDF + b"0" * (5 * 1024 * 1024), "5 Mo"),
    ],
)
def test_it_refuses_wrong_or_oversized_uploads(portal, claim, name, content, error):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = portal.post(
        f"/p/c/{claim.code}/dispute/", {"reason": "Pas livré", "attachment": upload}
    )
    assert response.status_code == 400
    assert error in response.text
    assert not Dispute.objects.exists()


def test_an_accepted_upload_is_renamed_and_served_as_attachment(
    portal, cast, claim, client
):
    upload = SimpleUploadedFile("../../etc/evil.html", PDF, content_type="text/html")
    portal.post(
        f"/p/c/{claim.code}/dispute/", {"reason": "Pas livré", "attachment": upload}
    )
    dispute = Dispute.objects.get()
    assert dispute.attachment.name.endswith(".pdf")
    assert "evil" not in dispute.attachment.name
    client.force_login(cast.owner)
    response = client.get(f"/p/manage/disputes/{dispute.code}/attachment/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_it_answers_429_after_30_requests_a_minute(portal, claim):
    url = f"/p/c/{claim.code}/"
    statuses = [portal.get(url).status_code for _ in range(RATE_LIMIT + 1)]
    assert statuses[:RATE_LIMIT] == [200] * RATE_LIMIT
    assert statuses[-1] == 429
    assert "Trop de demandes" in portal.get(url).text


def test_guessing_links_is_rate_limited_per_ip(client):
    statuses = [
        client.get(f"/p/t/guess{i}/").status_code for i in range(RATE_LIMIT + 1)
    ]
    assert statuses[:RATE_LIMIT] == [404] * RATE_LIMIT
    assert statuses[-1] == 429


def test_short_code_needs_the_postal_code_or_an_invoice_number(client, link, claim):
    token, _raw = link
    code = token.short_code.lower()[:4] + "-" + token.short_code[4:]
    wrong = client.post("/p/code/", {"code": code, "proof": "1000"})
    assert wrong.status_code == 200
    assert "ne permettent pas" in wrong.text
    unknown = client.post("/p/code/", {"code": "ZZZZZZZZ", "proof": "4020"})
    assert "ne permettent pas" in unknown.text
    ok = client.post("/p/code/", {"code": code, "proof": "4020"})
    assert ok.status_code == 302
    by_invoice = client.post("/p/code/", {"code": code, "proof": "c-portal-1-2"})
    assert by_invoice.status_code == 302


def test_visits_are_logged_once_an_hour(portal, claim):
    for _ in range(3):
        portal.get(f"/p/c/{claim.code}/")
    visits = Event.objects.filter(claim=claim, kind="portal", actor_label="débiteur")
    assert visits.count() == 1
