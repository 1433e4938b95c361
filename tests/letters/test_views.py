"""Letters endpoints: members of the creditor only; another creditor gets 404."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from letters.models import Document
from letters.models import TemplateOverride
from letters.services import document_archive
from tests import factories as f

pytestmark = pytest.mark.django_db


def archived(creditor):
    claim = f.ClaimFactory(creditor=creditor)
    return document_archive(
        creditor=creditor,
        claim=claim,
        debtor=claim.debtor,
        kind="reminder",
        content=b"%PDF-1.7 proof",
        filename="r.pdf",
    )


def test_a_member_downloads_the_stored_bytes_unchanged(client, cast):
    doc = archived(cast.creditor)
    client.force_login(cast.readonly)
    r = client.get(reverse("letters:document_download", args=[doc.code]))
    assert r.status_code == 200
    assert r.content == b"%PDF-1.7 proof"
    assert hashlib.sha256(r.content).hexdigest() == doc.sha256
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("attachment;")


def test_another_creditor_gets_404(client, cast):
    doc = archived(cast.creditor)
    client.force_login(cast.outsider)
    r = client.get(reverse("letters:document_download", args=[doc.code]))
    assert r.status_code == 404


def test_anonymous_is_sent_to_login(client, cast):
    doc = archived(cast.creditor)
    r = client.get(reverse("letters:document_download", args=[doc.code]))
    assert r.status_code == 302


def test_documents_cannot_be_deleted(cast):
    doc = archived(cast.creditor)
    with pytest.raises(TypeError):
        doc.delete()


def test_owner_generates_a_formal_notice(client, cast):
    claim = f.ClaimFactory(creditor=cast.creditor)
    client.force_login(cast.owner)
    r = client.post(reverse("letters:formal_notice_generate", args=[claim.code]))
    assert r.status_code == 302
    assert r["Location"] == claim.get_absolute_url()
    doc = Document.objects.get(claim=claim)
    assert doc.kind == "formal_notice"
    assert claim.events.filter(kind="document").exists()


@pytest.mark.parametrize(("who", "status"), [("readonly", 403), ("outsider", 404)])
def test_others_cannot_generate(client, cast, who, status):
    claim = f.ClaimFactory(creditor=cast.creditor)
    client.force_login(getattr(cast, who))
    r = client.post(reverse("letters:bailiff_file", args=[claim.code]))
    assert r.status_code == status
    assert not Document.objects.exists()


def test_an_override_missing_a_mandatory_mention_is_refused(client, cast):
    client.force_login(cast.owner)
    r = client.post(
        reverse("letters:override_edit"),
        {
            "template": "reminder",
            "language": "fr",
            "body": "Payez {{ total }}.",
            "save": "1",
        },
    )
    assert r.status_code == 200
    assert "{{ deadline }}" in r.content.decode()
    assert not TemplateOverride.objects.exists()


def test_a_valid_override_is_saved_and_used(client, cast):
    claim = f.ClaimFactory(creditor=cast.creditor)
    client.force_login(cast.owner)
    body = "Cher client, merci de verser {{ total }} avant le {{ deadline }}."
    r = client.post(
        reverse("letters:override_edit"),
        {"template": "reminder", "language": "fr", "body": body, "save": "1"},
    )
    assert r.status_code == 302
    import datetime as dt

    from letters.services import letter_html

    html = letter_html(claim=claim, kind="reminder", at=dt.date(2026, 3, 2))
    from claims.ledger.statements import message_statement
    from letters.templatetags.letters_tags import format_money

    # {{ total }}: what the letter asks for by its deadline (interest included).
    due = message_statement(
        claim=claim,
        kind="reminder",
        sent_on=dt.date(2026, 3, 2),
        channel="email",
        until=dt.date(2026, 3, 17),
    ).total_due
    assert (
        f"merci de verser {format_money(due, 'EUR', 'fr')} avant le 17 mars 2026"
        in html
    )


def test_template_tags_are_refused_in_overrides(client, cast):
    client.force_login(cast.owner)
    r = client.post(
        reverse("letters:override_edit"),
        {
            "template": "reminder",
            "language": "fr",
            "body": "{% load x %}{{ total }} {{ deadline }}",
            "save": "1",
        },
    )
    assert r.status_code == 200
    assert not TemplateOverride.objects.exists()


def test_the_claim_page_lists_its_documents_with_download_links(client, cast):
    doc = archived(cast.creditor)
    client.force_login(cast.owner)
    r = client.get(doc.claim.get_absolute_url())
    body = r.content.decode()
    assert reverse("letters:document_download", args=[doc.code]) in body
    # The button leads to a plain-words confirmation whose form posts to letters.
    confirm = reverse("claims:claim_letter", args=[doc.claim.code, "formal_notice"])
    assert confirm in body
    page = client.get(confirm).content.decode()
    assert reverse("letters:formal_notice_generate", args=[doc.claim.code]) in page
