"""The hand-off file a bailiff or lawyer receives: every file opens, claim.json
follows the schema shipped in docs/schemas, every hash of the manifest holds,
and the cover is addressed to them with one prescription date and the route
in words. Registered-mail proofs and the directory are tenant-scoped."""

from __future__ import annotations

import csv
import datetime as dt
import email
import hashlib
import io
import json
import re
import subprocess
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from claims.engine.collection import dispute_open
from claims.engine.execution import Delivery
from claims.engine.execution import get_deliverer
from claims.judicial.routes import route_advice
from claims.law.prescription import prescription_date
from claims.ledger.services import payment_record
from claims.ledger.statements import claim_statement
from claims.models import LegalContact
from letters.bailiff import route_prose
from letters.models import Document
from letters.models import PostalProof
from letters.portal.services import portal_payment_declared
from letters.portal.tokens import portal_token_issue
from letters.portal.uploads import validate_upload
from letters.services import bailiff_file_build
from letters.services import document_bytes
from letters.services import postal_proof_record
from tests import factories as f
from tests.letters.helpers import pdf_text

pytestmark = pytest.mark.django_db

SENT = dt.date(2026, 3, 2)
TODAY = dt.date(2026, 4, 1)
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs/schemas/claim.schema.json").read_text())
UBL = (
    ROOT.parent.parent / "shared/samples/ubl/peppol-bis-invoice-3_Allowance-example.xml"
)
if not UBL.exists():  # the worktree layout: /work/wt/<name> → /work/shared
    UBL = Path("/work/shared/samples/ubl/peppol-bis-invoice-3_Allowance-example.xml")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
    b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02"
    b"\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
INTERNAL = ("⚠", "valeur calculée", "valeur non confirmée", "taux non publié",
            "RouteOption(", "Condition(", "RouteProse(", "PRESCRIT :")  # fmt: skip


def _claim(cast, language="fr", kind="business"):
    creditor = cast.creditor
    creditor.terms_file.save("cgv.pdf", ContentFile(b"%PDF-1.4 terms"), save=True)
    debtor = (f.ConsumerFactory if kind == "consumer" else f.DebtorFactory)(
        creditor=creditor, email="ap@client.test", language=language
    )
    claim = f.ClaimFactory(
        creditor=creditor,
        debtor=debtor,
        reference="C-900",
        structured_reference="+++123/4567/89002+++",
        invoices=[
            {"amount": Decimal("1210.00"), "vat_amount": Decimal("210.00")},
            {"amount": Decimal("363.00"), "vat_amount": Decimal("63.00")},
        ],
    )
    first = claim.invoices.order_by("number").first()
    first.attachment.save("F-1.xml", ContentFile(UBL.read_bytes()), save=True)
    return claim


def _send_registered_notice(claim, smtp_inbox):
    step = f.ScenarioStepFactory(
        scenario__creditor=claim.creditor,
        kind="formal_notice",
        channel="registered",
        template="formal_notice",
        attach_pdf=True,
    )
    action = f.ActionFactory(claim=claim, step=step, due_on=SENT)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)):
        get_deliverer()(
            Delivery(
                creditor_id=claim.creditor_id,
                debtor_id=claim.debtor_id,
                action_ids=(action.pk,),
                today=SENT,
            )
        )
    letter = Document.objects.get(claim=claim, channel="registered")
    return letter, smtp_inbox.messages[0]


def _bailiff(creditor, language="nl"):
    return LegalContact.objects.create(
        creditor=creditor,
        kind="bailiff",
        name="Meester Peeters",
        firm="Gerechtsdeurwaarderskantoor Peeters & Co",
        address="Meir 10\n2000 Antwerpen",
        email="peeters@deurwaarder.test",
        enterprise_number="0876.543.210",
        language=language,
    )


def _full_claim(cast, smtp_inbox, language="nl"):
    claim = _claim(cast)
    letter, received = _send_registered_notice(claim, smtp_inbox)
    postal_proof_record(
        document=letter,
        receipt_number="rr 1234 5678 9be",
        posted_on=SENT,
        scan=SimpleUploadedFile("x.png", PNG, content_type="image/png"),
        actor=cast.owner,
        today=TODAY,
    )
    dispute = dispute_open(
        claim_id=claim.pk,
        reason="Livraison incomplète selon le client",
        actor=cast.owner,
        source="portal",
        today=SENT,
    )
    dispute.attachment.save("bon.pdf", ContentFile(b"%PDF-1.4 delivery note"))
    payment_record(
        claim=claim, amount=Decimal("100.00"), on=dt.date(2026, 3, 10), today=TODAY
    )
    token, _raw = portal_token_issue(debtor=claim.debtor, claim=claim)
    portal_payment_declared(
        token=token,
        claim=claim,
        paid_on=dt.date(2026, 3, 20),
        amount=Decimal("500.00"),
        today=dt.date(2026, 3, 21),
        proof=validate_upload(SimpleUploadedFile("virement.png", PNG)),
    )
    return claim, letter, received, _bailiff(claim.creditor, language)


def _open(doc):
    return zipfile.ZipFile(io.BytesIO(document_bytes(document=doc)))


def test_the_zip_holds_every_file_opens_them_and_every_hash_holds(cast, smtp_inbox):
    claim, letter, (_env, received), bailiff = _full_claim(cast, smtp_inbox)
    doc = bailiff_file_build(claim=claim, today=TODAY, recipient=bailiff)
    zf = _open(doc)
    names = zf.namelist()
    by_dir = {n.split("/")[0] for n in names if "/" in n}
    assert by_dir == {
        "messages",
        "documents",
        "invoices",
        "terms",
        "proofs",
        "disputes",
    }
    # The manifest lists every other file once, with the right SHA-256.
    lines = zf.read("manifest-sha256.txt").decode().splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    assert sorted(listed) == sorted(n for n in names if n != "manifest-sha256.txt")
    for name, digest in listed.items():
        assert hashlib.sha256(zf.read(name)).hexdigest() == digest, name
    # Every file opens as what it claims to be.
    for name in names:
        content = zf.read(name)
        if name.endswith(".pdf"):
            assert content.startswith(b"%PDF-")
            if not name.startswith(("terms/", "disputes/")):
                assert pdf_text(content).strip(), name
        elif name.endswith(".eml"):
            msg = email.message_from_bytes(content)
            assert msg["Message-ID"]
            assert msg["Subject"]
        elif name.endswith(".json"):
            json.loads(content)
        elif name.endswith(".csv"):
            assert list(csv.reader(io.StringIO(content.decode())))
        elif name.endswith(".xml"):
            assert b"<Invoice" in content[:500]
        elif name.endswith(".png"):
            assert content == PNG
        else:
            assert content.decode().strip(), name
    # The e-mail as it left: the archived bytes are the ones the server got.
    eml = next(n for n in names if n.startswith("messages/"))
    archived = email.message_from_bytes(zf.read(eml))
    assert archived["Message-ID"] == received["Message-ID"]
    assert archived["Date"] == received["Date"]
    sent_parts = [
        p.get_payload(decode=True) for p in received.walk() if not p.is_multipart()
    ]
    kept_parts = [
        p.get_payload(decode=True) for p in archived.walk() if not p.is_multipart()
    ]
    assert kept_parts == sent_parts
    # The letter byte for byte, the UBL as imported, a rendered copy otherwise.
    pdfs = [n for n in names if n.startswith("documents/")]
    assert [zf.read(n) for n in pdfs] == [document_bytes(document=letter)]
    assert zf.read("invoices/C-900-1.xml") == UBL.read_bytes()
    copy = pdf_text(zf.read("invoices/C-900-2-copie.pdf"))
    assert "C-900-2" in copy
    # The debtor reads Dutch: amounts in the Dutch form (300 + 21 % VAT).
    assert "€ 363,00" in copy
    assert "€ 63,00" in copy
    assert zf.read("terms/conditions-generales.pdf") == b"%PDF-1.4 terms"
    assert any(n.startswith("proofs/20260302-RR-1234-5678-9BE") for n in names)
    dispute = next(n for n in names if n.startswith("disputes/") and n.endswith(".txt"))
    assert "Livraison incomplète" in zf.read(dispute).decode()
    assert any(n.startswith("disputes/") and n.endswith(".pdf") for n in names)
    replies = zf.read("disputes/reponses-du-debiteur.txt").decode()
    assert "500,00\xa0€" in replies  # the journal's French amount
    assert "20/03/2026" in replies
    assert [n for n in names if n.startswith("disputes/reponse-")] != []
    payments = list(csv.DictReader(io.StringIO(zf.read("payments.csv").decode())))
    assert [(p["date"], p["amount"]) for p in payments] == [("2026-03-10", "100.00")]
    rows = list(csv.DictReader(io.StringIO(zf.read("invoices.csv").decode())))
    assert [(r["amount_excl_vat"], r["vat"], r["amount_incl_vat"]) for r in rows] == [
        ("1000.00", "210.00", "1210.00"),
        ("300.00", "63.00", "363.00"),
    ]


def test_claim_json_follows_the_schema_and_the_statement(cast, smtp_inbox):
    claim, _letter, _received, bailiff = _full_claim(cast, smtp_inbox)
    zf = _open(bailiff_file_build(claim=claim, today=TODAY, recipient=bailiff))
    facts = json.loads(zf.read("claim.json"))
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.FormatChecker()
    ).validate(facts)
    statement = claim_statement(claim=claim, at=TODAY)
    assert facts["statement"]["total_due"] == f"{statement.total_due:.2f}"
    # B2B: 40 € per invoice (art. 6 law of 2 August 2002), each with its invoice.
    assert [(x["amount"], x["invoice"]) for x in facts["statement"]["fees"]] == [
        ("40.00", "C-900-1"),
        ("40.00", "C-900-2"),
    ]
    assert facts["prescription"]["on"] == statement.prescription_on.isoformat()
    assert facts["recipient"]["name"] == "Meester Peeters"
    names = set(zf.namelist())
    assert facts["debtor_replies"][0]["attachment"] in names
    for group in ("messages", "documents", "postal_proofs", "disputes"):
        assert facts[group], group
        assert {x["file"] for x in facts[group]} <= names
    assert {i["file"] for i in facts["invoices"]} <= names
    assert facts["postal_proofs"][0]["receipt_number"] == "RR 1234 5678 9BE"
    # A wrong amount format is caught by the schema (it is not decorative).
    facts["statement"]["total_due"] = float(statement.total_due)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(facts, SCHEMA)


def _cover(doc):
    return pdf_text(_open(doc).read("00-cover.pdf"))


@pytest.mark.parametrize(
    ("language", "markers"),
    [
        ("fr", ("Maître,", "Prescription", "La procédure que nous recommandons")),
        ("nl", ("Geachte meester,", "Verjaring", "De procedure die wij aanbevelen")),
        ("en", ("Dear Sir or Madam,", "Limitation", "The procedure we recommend")),
    ],
)
def test_the_cover_is_addressed_to_the_bailiff_in_their_language(
    cast, language, markers
):
    # A Belgian consumer bought a service in January 2025: 10 years
    # (art. 2262bis §1 C. civ.), not the 1 year of goods sold (art. 2272).
    claim = _claim(cast, kind="consumer")
    claim.invoices.update(
        due_date=dt.date(2025, 1, 10), issue_date=dt.date(2024, 12, 10)
    )
    claim.amicable_exhausted_on = SENT
    claim.save(update_fields=["amicable_exhausted_on"])
    bailiff = _bailiff(claim.creditor, language)
    text = _cover(bailiff_file_build(claim=claim, today=TODAY, recipient=bailiff))
    head = text[: text.index(markers[0])]
    assert "Meester Peeters" in head
    assert "Meir 10" in head
    assert "2000 Antwerpen" in head
    assert claim.debtor.address_line1 not in head  # never addressed to the debtor
    for marker in markers:
        assert marker in text, marker
    for marker in INTERNAL:
        assert marker not in text, marker
    # One prescription date: the law function's, the advice's, the statement's.
    law, _rule = prescription_date(
        country="BE", debtor_kind="consumer", due_date=dt.date(2025, 1, 10)
    )
    assert law == dt.date(2035, 1, 10)
    advice = route_advice(claim=claim, today=TODAY)
    assert {o.prescription_on for o in advice.options} == {law}
    assert claim_statement(claim=claim, at=TODAY).prescription_on == law
    assert re.findall(r"\b(20[2-9][0-9])\b", text).count("2035") == 1
    assert "2026" not in text.split(markers[1], 1)[1][:200]  # no 1-year date
    # The route in words: a judicial route (not "more reminders"), its title,
    # why, and its duration; no Python representation.
    with translation.override(language):
        route = route_prose(claim, claim_statement(claim=claim, at=TODAY), TODAY)
    assert route.route not in ("amicable", "write_off")
    assert route.title in text
    assert route.reasons[0] in text
    assert f"{route.days_min}" in text
    assert f"{route.days_max}" in text
    if language != "fr":
        for french in ("Nous vous confions", "Conditions remplies", "Décompte au"):
            assert french not in text


def test_the_cover_shows_a_time_barred_claim_once_and_consistently(cast):
    claim = _claim(cast)
    claim.invoices.update(due_date=dt.date(2016, 1, 4), issue_date=dt.date(2015, 12, 4))
    text = _cover(bailiff_file_build(claim=claim, today=TODAY, recipient=None))
    statement = claim_statement(claim=claim, at=TODAY)
    assert statement.time_barred
    assert statement.prescription_on == dt.date(2026, 1, 4)
    assert "prescrite depuis le 4 janvier 2026" in text
    assert "sera prescrite" not in text
    assert "À l'huissier de justice ou à l'avocat mandaté" in text


def test_the_prescription_day_is_barred_for_the_advice_as_for_the_statement(cast):
    claim = _claim(cast)
    claim.invoices.update(issue_date=dt.date(2016, 3, 1), due_date=dt.date(2016, 4, 1))
    advice = route_advice(claim=claim, today=TODAY)
    write_off = next(o for o in advice.options if o.route == "write_off")
    assert claim_statement(claim=claim, at=TODAY).time_barred
    assert any("prescrite" in r for r in write_off.reasons)


# --- screens: permissions and tenants ---------------------------------------


def _login(client, user):
    client.force_login(user)
    return client


def test_the_zip_download_is_for_writers_of_the_claims_creditor(client, cast):
    claim = _claim(cast)
    bailiff = _bailiff(cast.creditor)
    url = reverse("letters:handoff_file", args=[claim.code])
    data = {"recipient": str(bailiff.code), "language": "en"}
    assert _login(client, cast.readonly).post(url, data).status_code == 403
    assert _login(client, cast.outsider).post(url, data).status_code == 404
    response = _login(client, cast.colleague).post(url, data)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    assert "Dear Sir or Madam," in pdf_text(zf.read("00-cover.pdf"))
    # Another creditor's contact cannot be chosen as the recipient.
    theirs = _bailiff(cast.other_creditor)
    before = Document.objects.filter(kind="bailiff_file").count()
    response = client.post(url, {"recipient": str(theirs.code)})
    assert response.status_code == 302
    assert Document.objects.filter(kind="bailiff_file").count() == before


def test_the_proof_upload_is_validated_scoped_and_served_to_members(
    client, cast, smtp_inbox
):
    claim = _claim(cast)
    letter, _received = _send_registered_notice(claim, smtp_inbox)
    url = reverse("letters:proof_upload", args=[claim.code])

    def post(user, content=PNG, name="scan.png", number="RR123456789BE"):
        _login(client, user)
        return client.post(
            url,
            {
                "document": str(letter.code),
                "receipt_number": number,
                "posted_on": "2026-03-02",
                "scan": SimpleUploadedFile(name, content),
            },
        )

    assert post(cast.readonly).status_code == 403
    assert post(cast.outsider).status_code == 404
    assert (
        post(cast.owner, content=b"MZ\x90\x00 not an image", name="x.png").status_code
        == 302
    )
    assert (
        post(cast.owner, content=b"%PDF" + b"0" * (6 * 1024 * 1024)).status_code == 302
    )
    assert post(cast.owner, number="   ").status_code == 302
    assert not PostalProof.objects.exists()
    assert post(cast.owner).status_code == 302
    proof = PostalProof.objects.get()
    assert (proof.receipt_number, proof.posted_on) == ("RR123456789BE", SENT)
    assert proof.scan_sha256 == hashlib.sha256(PNG).hexdigest()
    assert proof.scan.name.endswith(".png")
    assert "scan" not in proof.scan.name
    page = _login(client, cast.owner).get(claim.get_absolute_url())
    assert "RR123456789BE" in page.content.decode()
    download = reverse("letters:proof_download", args=[proof.code])
    assert _login(client, cast.outsider).get(download).status_code == 404
    got = _login(client, cast.readonly).get(download)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == PNG
    # Only a letter sent by registered post takes a proof.
    other = Document.objects.create(
        creditor=claim.creditor, claim=claim, debtor=claim.debtor, kind="reminder",
        title="Rappel", file=ContentFile(b"%PDF", name="r.pdf"), sha256="0" * 64,
        channel="email",
    )  # fmt: skip
    _login(client, cast.owner)
    client.post(url, {"document": str(other.code), "receipt_number": "RR1",
                      "posted_on": "2026-03-02",
                      "scan": SimpleUploadedFile("s.png", PNG)})  # fmt: skip
    assert PostalProof.objects.count() == 1


def test_the_directory_is_managed_by_owners_and_managers_per_creditor(client, cast):
    url = reverse("letters:directory")
    data = {"contact-kind": "lawyer", "contact-name": "Me Lambert",
            "contact-firm": "Cabinet Lambert", "contact-email": "l@avocat.test",
            "contact-language": "fr"}  # fmt: skip
    assert _login(client, cast.colleague).post(url, data).status_code == 403
    assert _login(client, cast.owner).post(url, data).status_code == 302
    mine = LegalContact.objects.get(name="Me Lambert")
    assert mine.creditor == cast.creditor
    theirs = _bailiff(cast.other_creditor)
    page = _login(client, cast.owner).get(url).content.decode()
    assert "Me Lambert" in page
    assert "Meester Peeters" not in page
    edit = reverse("letters:contact_edit", args=[theirs.code])
    assert client.get(edit).status_code == 404
    assert (
        client.post(reverse("letters:contact_delete", args=[theirs.code])).status_code
        == 404
    )
    assert LegalContact.objects.filter(pk=theirs.pk).exists()
    # The general terms: PDF only, owners and managers only.
    terms = reverse("letters:terms_upload")
    png = SimpleUploadedFile("cgv.png", PNG)
    client.post(terms, {"terms_file": png})
    cast.creditor.refresh_from_db()
    assert not cast.creditor.terms_file
    _login(client, cast.colleague)
    pdf = SimpleUploadedFile("cgv.pdf", b"%PDF-1.4 cgv")
    assert client.post(terms, {"terms_file": pdf}).status_code == 403
    _login(client, cast.owner)
    client.post(terms, {"terms_file": SimpleUploadedFile("cgv.pdf", b"%PDF-1.4 cgv")})
    cast.creditor.refresh_from_db()
    assert cast.creditor.terms_sha256 == hashlib.sha256(b"%PDF-1.4 cgv").hexdigest()


def test_look_at_the_cover(cast, smtp_inbox, tmp_path):
    """Render the cover's pages to PNG (kept under var/ for a human look)."""
    claim, _letter, _received, bailiff = _full_claim(cast, smtp_inbox, "fr")
    cover = _open(bailiff_file_build(claim=claim, today=TODAY, recipient=bailiff))
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "cover.pdf"
        src.write_bytes(cover.read("00-cover.pdf"))
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(src), str(tmp_path / "p")], check=True)  # fmt: skip
    pages = sorted(tmp_path.glob("p*.png"))
    assert 1 <= len(pages) <= 4


def test_anonymising_the_debtor_deletes_the_emails_kept_as_sent(cast, smtp_inbox):
    from django.core.files.storage import default_storage

    from letters.models import OutboundMessage
    from letters.privacy import debtors_anonymise

    claim = _claim(cast)
    _send_registered_notice(claim, smtp_inbox)
    message = OutboundMessage.objects.get(debtor=claim.debtor)
    kept = message.eml.name
    assert default_storage.exists(kept)
    debtors_anonymise(debtor_ids=[claim.debtor_id])
    message.refresh_from_db()
    assert not message.eml
    assert not default_storage.exists(kept)
