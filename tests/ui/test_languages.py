"""The interface in Dutch and English: no French left on the main pages, the
timeline read in the reader's language, and every catalogue complete."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from claims.engine.plans import InstalmentSpec
from claims.engine.plans import plan_propose
from claims.ledger.services import InvoiceData
from claims.ledger.services import claim_open
from claims.ledger.services import payment_record
from claims.models import Claim
from claims.models import Event
from letters.portal.tokens import portal_token_issue
from tests import factories as f

pytestmark = pytest.mark.django_db

#: Words that give away a French page: none is also a Dutch or English word
#: (matched as whole words: "facture" must not match the Dutch "facturen").
FRENCH_MARKERS = [
    "Créance",
    "créance",
    "créances",
    "Débiteur",
    "débiteur",
    "échéance",
    "Échéance",
    "Montant",
    "montant",
    "Envoyer",
    "Rappel",
    "rappel",
    "Mise en demeure",
    "mise en demeure",
    "facture",
    "Facture",
    "Paiement",
    "paiement",
    "Relance",
    "relances",
    "Solde",
    "Étape",
    "étape",
    "Huissier",
    "huissier",
    "Enregistrer",
    "Rechercher",
    "Aucun",
    "aucun",
    "Taux",
    "taux",
    "Intérêts",
    "intérêts",
    "Frais",
    "frais",
    "jours",
    "depuis",
    "Choisir",
    "du",
    "les",
    "des",
    "une",
    "pour",
    "avec",
    "à",
]
#: Patterns: a French amount ("12,00 € " before a word) and the ECB rate
#: written "BCE 2.150 %" (in Dutch and English "KBO/BCE" is the register).
FRENCH_PATTERNS = [r"\d,\d\d\u00a0€", r"\bBCE \d"]
_MARKERS = re.compile(
    "|".join(
        [rf"(?<!\w){re.escape(m)}(?!\w)" for m in FRENCH_MARKERS] + FRENCH_PATTERNS
    )
)

_TAG = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->", re.S | re.I)
_ATTR = re.compile(r'\b(?:title|placeholder|aria-label|alt|value)="([^"]*)"')
#: The language switcher names each language in itself ("Français").
_SWITCHER = re.compile(r'<select id="lang".*?</select>', re.S)


def visible_text(body: str) -> str:
    """What a reader sees or hears: text between tags and the labelling attributes."""
    body = _SWITCHER.sub("", _TAG.sub("", body))
    attrs = " ".join(_ATTR.findall(body))
    text = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(f"{text} {attrs}")


def french_left(body: str) -> list[str]:
    text = re.sub(r"[ \t\r\n]+", " ", visible_text(body))
    return [
        text[max(0, m.start() - 60) : m.end() + 60] for m in _MARKERS.finditer(text)
    ]


@pytest.fixture
def rich_claim(cast):
    """A late claim with a payment and a plan on its timeline."""
    debtor = f.DebtorFactory(creditor=cast.creditor, name="Bakkerij Peeters BV")
    claim = claim_open(
        creditor=cast.creditor,
        debtor=debtor,
        invoices=[
            InvoiceData(
                number="F-2026-001",
                issue_date=dt.date(2026, 1, 15),
                due_date=dt.date(2026, 2, 14),
                amount=Decimal("1234.56"),
                vat_amount=Decimal("214.26"),
                description="Broodleveringen",
            )
        ],
        actor=cast.owner,
    )
    payment_record(
        claim=claim, amount=Decimal("100.00"), on=dt.date(2026, 3, 2), actor=cast.owner
    )
    plan_propose(
        claim=claim,
        instalments=[
            InstalmentSpec(due_on=dt.date(2026, 12, 1), amount=Decimal("500.00")),
            InstalmentSpec(due_on=dt.date(2027, 1, 1), amount=Decimal("634.56")),
        ],
        actor=cast.owner,
    )
    return claim


def _main_pages(claim):
    return [
        reverse("claims:dashboard"),
        reverse("claims:claim_list"),
        reverse("claims:claim_list") + "?sort=-balance&amount_min=1.000,00",
        reverse("claims:claim_detail", kwargs={"code": claim.code}),
        reverse("claims:debtor_list"),
        reverse("claims:debtor_detail", kwargs={"code": claim.debtor.code}),
        reverse("claims:claim_routes", kwargs={"code": claim.code}),
        reverse("claims:claim_payment", kwargs={"code": claim.code}),
        reverse("claims:bank_import"),
        reverse("claims:bank_queue"),
        reverse("claims:csv_import"),
        reverse("claims:ubl_import"),
        reverse("claims:exports"),
        reverse("claims:settings"),
        reverse("claims:settings_scenarios"),
        reverse("claims:settings_members"),
        reverse("claims:calculator"),
        reverse("claims:outcomes"),
        reverse("portal:manage"),
    ]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_main_pages_have_no_french_left(client, cast, rich_claim, lang):
    client.force_login(cast.owner)
    client.post(reverse("set_language"), {"language": lang})
    problems = {}
    for url in _main_pages(rich_claim):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert f'<html lang="{lang}">' in body, url
        left = french_left(body)
        if left:
            problems[url] = left
    assert problems == {}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_debtor_portal_has_no_french_left(client, rich_claim, lang):
    _token, raw = portal_token_issue(debtor=rich_claim.debtor, claim=rich_claim)
    assert client.get(f"/p/t/{raw}/").status_code == 302
    problems = {}
    for url in (
        reverse("portal:claim", kwargs={"code": rich_claim.code}) + f"?lang={lang}",
        reverse("portal:privacy") + f"?lang={lang}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        left = french_left(response.content.decode())
        if left:
            problems[url] = left
    assert problems == {}


def test_the_markers_do_find_french(client, cast, rich_claim):
    """The check above can fail: the French page is full of markers."""
    client.force_login(cast.owner)
    body = client.get(
        reverse("claims:claim_detail", kwargs={"code": rich_claim.code})
    ).content.decode()
    assert len(french_left(body)) > 10


def test_a_timeline_entry_written_in_french_reads_in_dutch_and_english(
    cast, rich_claim
):
    with translation.override("fr"):
        payment_record(
            claim=rich_claim,
            amount=Decimal("1000.50"),
            on=dt.date(2026, 3, 9),
            actor=cast.owner,
        )
    event = Event.objects.filter(claim=rich_claim, kind=Event.Kind.PAYMENT).first()
    # Stored once, in French, with its message id and parameters.
    assert event.message == "Paiement de 1\u202f000,50\u00a0€ reçu le 09/03/2026"
    assert event.data["t"] == "Paiement de %(a)s reçu le %(d)s"
    event = Event.objects.get(pk=event.pk)  # as read back from the database
    with translation.override("nl"):
        assert event.text == "Betaling van €\u00a01.000,50 ontvangen op 09/03/2026"
    with translation.override("en"):
        assert event.text == "Payment of €1,000.50 received on 09/03/2026"
    with translation.override("fr"):
        assert event.text == event.message


def test_a_nested_entry_and_its_choice_labels_follow_the_reader(cast, rich_claim):
    event = Event.objects.filter(claim=rich_claim, kind=Event.Kind.PLAN).get()
    assert event.message.startswith(
        "Plan d'apurement proposé : 2 échéance(s), 1\u202f134,56"
    )
    with translation.override("nl"):
        assert event.text == (
            "Afbetalingsplan voorgesteld: 2 termijn(en), €\u00a01.134,56 in totaal,"
            " vanaf 01/12/2026"
        )
    with translation.override("en"):
        assert event.text == (
            "Payment plan offered: 2 instalment(s), €1,134.56 in total, from 01/12/2026"
        )


def test_an_entry_without_a_message_id_shows_its_stored_text(cast, rich_claim):
    old = Event.objects.create(
        creditor=cast.creditor,
        claim=rich_claim,
        kind=Event.Kind.NOTE,
        message="Appel du client, promet de payer vendredi",
    )
    with translation.override("en"):
        assert old.text == "Appel du client, promet de payer vendredi"


def test_the_claim_page_shows_the_timeline_in_the_readers_language(
    client, cast, rich_claim
):
    client.force_login(cast.owner)
    client.post(reverse("set_language"), {"language": "en"})
    body = client.get(
        reverse("claims:claim_detail", kwargs={"code": rich_claim.code})
    ).content.decode()
    assert "Payment of €100.00 received on 02/03/2026" in body
    assert "Paiement de" not in body


# --- the catalogues ------------------------------------------------------------


def _po_entries(path: Path) -> list[dict]:
    """A small reader of gettext catalogues: msgid, msgstr(s) and flags per entry."""
    entries: list[dict] = []
    current: dict | None = None
    key = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            continue  # obsolete
        if not line:
            current, key = None, None
            continue
        if current is None:
            current = {"flags": set(), "msgid": "", "msgstr": [], "plural": False}
            entries.append(current)
        if line.startswith("#,"):
            current["flags"] |= {x.strip() for x in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            key = "ctx"
        elif line.startswith("msgid_plural "):
            current["plural"] = True
            key = "plural"
        elif line.startswith("msgid "):
            key = "msgid"
            current["msgid"] = _unquote(line[6:])
        elif line.startswith("msgstr"):
            key = "msgstr"
            current["msgstr"].append(_unquote(line.split(" ", 1)[1]))
        elif line.startswith('"'):
            if key == "msgid":
                current["msgid"] += _unquote(line)
            elif key == "msgstr":
                current["msgstr"][-1] += _unquote(line)
    return [e for e in entries if e["msgid"]]


def _unquote(text: str) -> str:
    escapes = {"n": "\n", "t": "\t"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m[1], m[1]), text.strip()[1:-1])


def _catalogues() -> list[Path]:
    root = Path(settings.BASE_DIR)
    found = sorted(root.glob("locale/*/LC_MESSAGES/django.po")) + sorted(
        root.glob("*/locale/*/LC_MESSAGES/django.po")
    )
    return [p for p in found if ".venv" not in p.parts]


def test_every_catalogue_exists_for_dutch_and_english():
    found = {
        (p.parts[-4] if p.parts[-5] != "locale" else "", p.parts[-3])
        for p in _catalogues()
    }
    langs = {lang for _app, lang in found}
    assert langs == {"nl", "en"}
    assert len(_catalogues()) == 6  # locale/, claims/locale/, letters/locale/ × 2


@pytest.mark.parametrize("path", _catalogues(), ids=lambda p: "/".join(p.parts[-5:-2]))
def test_every_message_has_a_real_translation(path):
    entries = _po_entries(path)
    assert len(entries) > 50
    missing = [
        e["msgid"]
        for e in entries
        if "fuzzy" in e["flags"]
        or not e["msgstr"]
        or not all(s.strip() for s in e["msgstr"])
    ]
    assert missing == []


# --- CSV for Excel ----------------------------------------------------------------

_CSV = {
    # language: (separator, debtor column, principal, balance column)
    "fr": (";", "Débiteur", "1234,56", "Solde"),
    "nl": (";", "Schuldenaar", "1234,56", "Saldo"),
    "en": (",", "Debtor", "1234.56", "Balance"),
}


def _read_csv(response, separator):
    import csv
    import io

    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads the accents
    return list(
        csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=separator)
    )


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_claims_export_opens_in_a_spreadsheet_in_each_language(
    client, cast, rich_claim, lang
):
    from claims.models import Stage

    hostile = f.ClaimFactory(
        creditor=cast.creditor,
        debtor=f.DebtorFactory(creditor=cast.creditor, name='=HYPERLINK("x")'),
    )
    client.force_login(cast.owner)
    client.post(reverse("set_language"), {"language": lang})
    separator, debtor_col, principal, balance_col = _CSV[lang]
    for response in (
        client.get(reverse("claims:export_claims"), {"format": "csv"}),
        client.get(reverse("claims:claim_list"), {"format": "csv"}),
    ):
        rows = _read_csv(response, separator)
        by_ref = {r[next(iter(r))]: r for r in rows}
        row = by_ref[rich_claim.reference]
        assert row[debtor_col] == "Bakkerij Peeters BV"
        # Labels, not internal codes: the stage and the status read in the language.
        with translation.override(lang):
            assert str(Stage(rich_claim.stage).label) in row.values()
            assert str(Claim.Status(rich_claim.status).label) in row.values()
        assert rich_claim.stage not in row.values()
        assert principal in row.values()
        # A number Excel reads as a number: no currency sign, no thousands separator.
        balance = row[balance_col]
        assert re.fullmatch(r"\d+[.,]\d\d", balance), balance
        assert ("," in balance) == (lang != "en")
        # Never a formula: the hostile debtor name is neutralised.
        assert by_ref[hostile.reference][debtor_col] == '\'=HYPERLINK("x")'
