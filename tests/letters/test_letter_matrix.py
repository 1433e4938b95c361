"""Every message the engine sends, read back as the debtor reads it.

First reminder, reminder and formal notice, for BE/FR × business/consumer ×
fr/nl/en: the PDF (text extracted with pdftotext, QR code decoded with
zbarimg) and the e-mail (text and HTML parts) of the same step on the same
day. Each must carry its mandatory mentions, speak only the debtor's
language, show nothing internal, ask in its QR code for the amount it prints,
and print the deadline the engine keeps (claims.engine.run.step_deadline).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from claims.engine.run import step_deadline
from claims.law.rates import BE_LEGAL
from claims.law.rates import FR_LEGAL_OTHER
from claims.ledger.services import payment_record
from claims.ledger.statements import amount_to_pay
from claims.ledger.statements import claim_statement
from claims.ledger.statements import rate_table
from claims.models import Invoice
from letters.delivery import _claim_line
from letters.delivery import _identity
from letters.emails import EmailSpec
from letters.emails import email_build
from letters.services import letter_render
from letters.templatetags.letters_tags import format_money
from tests import factories as f
from tests.letters.helpers import pdf_qr_codes
from tests.letters.helpers import pdf_text

pytestmark = pytest.mark.django_db

AT = dt.date(2026, 3, 2)  # a Monday
FIRST_SENT = dt.date(2026, 2, 2)  # the consumers' free first reminder (e-mail)

# Words that only a French text holds: none may reach a Dutch or English debtor.
FRENCH_MARKERS = (
    "Madame",
    "Monsieur",
    "Facture",
    "facture",
    "Échéance",
    "échéance",
    "Montant",
    "Intérêts",
    "intérêts",
    "Indemnité",
    "indemnité",
    "Base légale",
    "Taux",
    "taux",
    "Loi du",
    "Code de",
    "Code civil",
    "Clause pénale",
    "jusqu'au",
    "Numéro d'entreprise",
    "Capital social",
    "Par e-mail",
    "recommandé",
    "Veuillez",
    "Premier rappel",
    "Mise en demeure",
    "mise en demeure",
    "gratuit",
    "Créancier",
    " : ",  # French spacing before a colon
)
# What an operator may see but a debtor never: working notes, Python reprs,
# internal documents, and "BCE" for the ECB (BCE is the Belgian register).
INTERNAL_MARKERS = (
    "⚠",
    "valeur calculée",
    "non publié",
    "non confirmée",
    "BCE",
    "Decimal(",
    "RatePeriod",
    "None",
    "legal-brief",
    "{'",
    "[(",
    "&quot;",
    "&#x27;",
    "&amp;",
)


@dataclass
class Step:
    """The step facts the engine hands to delivery (kind, channel, days)."""

    kind: str
    channel: str
    deadline_days: int = 15
    template: str = ""
    attach_pdf: bool = True
    attach_invoices: bool = False

    def get_kind_display(self) -> str:
        return self.kind


STEPS = {
    "first_reminder": Step("first_reminder", "email", 10),
    "reminder": Step("reminder", "email", 10),
    "formal_notice": Step("formal_notice", "email_post", 15),
}


def make_claim(country: str, debtor_kind: str, language: str, **terms):
    if country == "BE":
        creditor = f.CreditorFactory(
            legal_name="Boulangerie Dumont SRL",
            trade_name="Le Fournil",
            legal_form="SRL",
            register_city="Liège",
            share_capital=Decimal("18600.00"),
            **terms,
        )
        address = {"postal_code": "4000", "city": "Liège"}
    else:
        creditor = f.FrenchCreditorFactory(
            legal_name="Fournil Martin",
            legal_form="SARL",
            enterprise_number="55210055400013",
            register_city="Lyon",
            share_capital=Decimal("10000.00"),
            **terms,
        )
        address = {"postal_code": "69003", "city": "Lyon"}
    factory = f.ConsumerFactory if debtor_kind == "consumer" else f.DebtorFactory
    debtor = factory(
        creditor=creditor,
        language=language,
        name="Marie Lambert" if debtor_kind == "consumer" else "Client SA",
        email="debiteur@client.test",
        **address,
    )
    return f.ClaimFactory(
        creditor=creditor,
        debtor=debtor,
        reference="C-2026-0042",
        structured_reference="+++123/4567/89002+++" if country == "BE" else "",
        invoices=[
            {
                "amount": Decimal("1210.00"),
                "issue_date": dt.date(2025, 12, 10),
                "due_date": dt.date(2026, 1, 10),
                "description": "ART-100 x 200",
            },
            {
                "amount": Decimal("2345.50"),
                "due_date": dt.date(2026, 1, 20),
                "description": "ART-200 x 40",
            },
        ],
    )


def first_reminder_sent(claim) -> None:
    """The free first reminder went by e-mail a month before (as the engine records it)."""
    Invoice.objects.filter(claim=claim).update(
        first_reminder_sent_on=FIRST_SENT, first_reminder_channel="email"
    )
    claim.first_reminder_sent_on = FIRST_SENT
    claim.first_reminder_channel = "email"
    claim.save(update_fields=["first_reminder_sent_on", "first_reminder_channel"])


def flat(text: str) -> str:
    return " ".join(text.split())


def html_text(body: str) -> str:
    return flat(html.unescape(re.sub(r"<[^>]+>", " ", body)))


def render_all(claim, kind: str, language: str):
    """The PDF text, its QR payload, the e-mail (subject, text, HTML text) and
    the engine's deadline for ``kind`` sent on AT."""
    step = STEPS[kind]
    pdf = letter_render(
        claim=claim,
        kind=kind,
        language=language,
        at=AT,
        channel=step.channel,
        deadline_days=step.deadline_days,
    )
    deadline = step_deadline(step, claim, AT)
    line = _claim_line(claim, AT, True, step, language)
    message = email_build(
        EmailSpec(
            template=kind if kind == "formal_notice" else "reminder",
            kind=kind,
            language=language,
            creditor_name=claim.creditor.trade_name or claim.creditor.legal_name,
            sender_email="",
            reply_to=claim.creditor.email,
            to=[claim.debtor.email],
            claims=[line],
            iban=claim.creditor.iban,
            bic=claim.creditor.bic,
            deadline=deadline,
            identity=_identity(claim, language),
        )
    )
    return {
        "pdf": pdf_text(pdf),
        "qr": pdf_qr_codes(pdf),
        "subject": message.subject,
        "text": flat(message.body),
        "html": html_text(message.alternatives[0][0]),
        "raw_html": message.alternatives[0][0],
        "deadline": deadline,
        "line": line,
    }


def money(amount: Decimal, language: str) -> str:
    return flat(format_money(amount, "EUR", language))


MATRIX = [
    (kind, country, debtor_kind, language)
    for kind in ("first_reminder", "reminder", "formal_notice")
    for country in ("BE", "FR")
    for debtor_kind in ("business", "consumer")
    for language in ("fr", "nl", "en")
]


@pytest.mark.parametrize(("kind", "country", "debtor_kind", "language"), MATRIX)
def test_every_message_is_complete_in_the_debtor_language(
    kind, country, debtor_kind, language
):
    claim = make_claim(country, debtor_kind, language)
    if debtor_kind == "consumer" and kind != "first_reminder":
        first_reminder_sent(claim)
    out = render_all(claim, kind, language)
    documents = {"pdf": out["pdf"], "text": out["text"], "html": out["html"]}

    # One deadline: the engine's, printed in the PDF and in the e-mail.
    with translation.override(language):
        printed = date_format(out["deadline"], "j F Y")
    for name, text in documents.items():
        assert printed in text, name

    # The QR code asks for the amount the letter and the e-mail print, and
    # pays the creditor's legal name.
    (payload,) = out["qr"]
    lines = payload.split("\n")
    assert lines[5] == claim.creditor.legal_name
    qr_amount = Decimal(lines[7].removeprefix("EUR"))
    assert qr_amount == out["line"].amount_to_pay
    for name, text in documents.items():
        assert money(qr_amount, language) in text, name

    # Creditor identity, in every message.
    creditor = claim.creditor
    for name, text in documents.items():
        assert "SRL SRL" not in text, name
        assert "SARL SARL" not in text, name
        assert creditor.legal_name in text, name
        if country == "BE":
            assert "BE68 5390 0754 7034" in text, name
            assert "0403.170.701" in text, name
            register = {"fr": "RPM", "nl": "RPR", "en": "RLE"}[language]
            assert f"{register} Liège" in text, name
        else:
            assert "SIREN 552 100 554" in text, name
            assert "SIRET 552 100 554 00013" in text, name
            assert "RCS Lyon 552 100 554" in text, name
            assert "FR14 2004 1010 0505 0001 3M02 606" in text, name
            assert money(Decimal("10000"), language) in text, name

    # Nothing internal; nothing French in a Dutch or English message.
    for name, text in {**documents, "subject": out["subject"]}.items():
        for marker in INTERNAL_MARKERS:
            assert marker not in text, (name, marker)
        if language != "fr":
            for marker in FRENCH_MARKERS:
                # whole words: Dutch "facturen" is not French "facture"
                found = re.search(rf"(?<!\w){re.escape(marker)}(?!\w)", text)
                assert found is None, (name, marker, text[:2000])
    assert "\u202f" in out["raw_html"] if language == "fr" else True

    # Belgian consumer, first reminder: art. XIX.2 CDE in the message itself.
    if country == "BE" and debtor_kind == "consumer" and kind == "first_reminder":
        with translation.override(language):
            free = gettext("Ce premier rappel est gratuit.")
            start = date_format(AT + dt.timedelta(days=1), "j F Y")
        legal_rate = rate_table().period(BE_LEGAL, out["deadline"]).rate
        # The legal rate, a figure written the debtor's way: "4,5 %" (fr, nl),
        # "4.5%" (en), as claims.l10n.format_rate writes it.
        rate_text = f"{legal_rate.normalize():f}"
        rate_text = f"{rate_text}%" if language == "en" else f"{rate_text} %"
        if language != "en":
            rate_text = rate_text.replace(".", ",")
        for name, text in documents.items():
            assert free in text, name
            assert money(Decimal("3555.50"), language) in text, name
            assert "C-2026-0042-1" in text, name
            assert "ART-100 x 200" in text, name
            assert start in text, name  # the day after the e-mail
            assert rate_text in text, name
            assert "0403.170.701" in text, name
        # No penalty clause in the terms: no indemnity announced.
        assert out["line"].letter["xix"]["indemnity"] == 0


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_be_consumer_first_reminder_announces_only_the_clause_it_has(language):
    """A 10 % penalty clause: the indemnity announced is the clause capped by
    art. XIX.4 CDE on the balance: 65 + 5 % × (3 555,50 − 500) = 217,775 →
    217,78 € (the clause gives 355,55 €)."""
    claim = make_claim("BE", "consumer", language, penalty_clause_percent=10)
    out = render_all(claim, "first_reminder", language)
    for text in (out["pdf"], out["text"], out["html"]):
        assert money(Decimal("217.78"), language) in text


def test_be_consumer_first_reminder_by_post_counts_from_the_third_working_day():
    """Posted Monday 2 March 2026 → the period starts Thursday 5 March and
    ends Wednesday 18 March (art. XIX.2 CDE, legal brief §2.2)."""
    claim = make_claim("BE", "consumer", "fr")
    pdf = pdf_text(
        letter_render(claim=claim, kind="first_reminder", at=AT, channel="post")
    )
    assert "commence le 5 mars 2026, troisième jour ouvrable" in pdf
    assert "se termine le 18 mars 2026 inclus" in pdf


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ("email_post", "Par e-mail et par courrier ordinaire"),
        ("registered", "Par envoi recommandé et par e-mail"),
        ("email", "Par e-mail"),
    ],
)
def test_the_formal_notice_names_the_channel_it_goes_by(channel, expected):
    claim = make_claim("BE", "business", "fr")
    text = pdf_text(
        letter_render(claim=claim, kind="formal_notice", at=AT, channel=channel)
    )
    assert expected in text
    if channel != "registered":
        assert "recommandé" not in text


@pytest.mark.parametrize(
    ("debtor_kind", "postal_code", "city", "court"),
    [
        ("business", "69003", "Lyon", "tribunal des activités économiques de Lyon"),
        (
            "business",
            "92100",
            "Boulogne-Billancourt",
            "tribunal des activités économiques de Nanterre",
        ),
        ("business", "59000", "Lille", "tribunal de commerce du lieu de votre siège"),
        ("consumer", "69003", "Lyon", "tribunal judiciaire du lieu de votre domicile"),
    ],
)
def test_french_formal_notice_names_the_court_of_the_debtor_seat(
    debtor_kind, postal_code, city, court
):
    claim = make_claim("FR", debtor_kind, "fr")
    claim.debtor.postal_code, claim.debtor.city = postal_code, city
    claim.debtor.save(update_fields=["postal_code", "city"])
    text = pdf_text(letter_render(claim=claim, kind="formal_notice", at=AT))
    assert court in text


@pytest.mark.parametrize(
    ("country", "debtor_kind"),
    [("BE", "business"), ("BE", "consumer"), ("FR", "business"), ("FR", "consumer")],
)
def test_paying_the_qr_amount_by_the_deadline_settles_the_claim(country, debtor_kind):
    """The formal notice's QR amount, paid on its last day, leaves nothing due
    in the claim's own statement once the notice is recorded as sent."""
    claim = make_claim(country, debtor_kind, "fr")
    if debtor_kind == "consumer":
        first_reminder_sent(claim)
    out = render_all(claim, "formal_notice", "fr")
    qr_amount = Decimal(out["qr"][0].split("\n")[7].removeprefix("EUR"))
    deadline = out["deadline"]
    # What sending records (claims.engine.run._record_invoices).
    Invoice.objects.filter(claim=claim).update(formal_notice_sent_on=AT)
    claim.formal_notice_sent_on = AT
    claim.save(update_fields=["formal_notice_sent_on"])
    before = claim_statement(claim=claim, at=deadline)
    assert amount_to_pay(before) == qr_amount
    assert before.interest > 0  # interest to the deadline is in the amount
    payment_record(claim=claim, amount=qr_amount, on=deadline)
    claim.refresh_from_db()
    after = claim_statement(claim=claim, at=deadline)
    assert after.total_due == 0


def test_french_consumer_interest_runs_from_the_date_the_letter_prints():
    """Art. 1344-1 and 1231-6 C. civ.: the notice makes legal interest run; the
    letter prints the first day the statement counts (the day after it is
    sent) and the legal rate of the table."""
    claim = make_claim("FR", "consumer", "fr")
    out = render_all(claim, "formal_notice", "fr")
    Invoice.objects.filter(claim=claim).update(formal_notice_sent_on=AT)
    claim.formal_notice_sent_on = AT
    claim.save(update_fields=["formal_notice_sent_on"])
    statement = claim_statement(claim=claim, at=out["deadline"])
    first_day = min(p.start for p in statement.interest_periods)
    assert first_day == AT + dt.timedelta(days=1)
    with translation.override("fr"):
        printed = date_format(first_day, "j F Y")
    assert f"à compter du {printed}, lendemain de son envoi" in out["pdf"]
    assert "art. 1344-1 et 1231-6 du Code civil" in out["pdf"]
    assert {p.rate for p in statement.interest_periods} == {
        rate_table().period(FR_LEGAL_OTHER, first_day).rate
    }


def test_an_email_for_several_claims_breaks_each_down_and_totals_them():
    claim = make_claim("BE", "business", "en")
    other = f.ClaimFactory(
        creditor=claim.creditor,
        debtor=claim.debtor,
        reference="C-2026-0043",
        invoices=[{"amount": Decimal("99.99")}],
    )
    step = STEPS["reminder"]
    lines = [_claim_line(c, AT, True, step, "en") for c in (claim, other)]
    message = email_build(
        EmailSpec(
            template="reminder",
            kind="reminder",
            language="en",
            creditor_name='L\'Atelier "Dumont" & Fils',
            sender_email="",
            reply_to="",
            to=["x@client.test"],
            claims=lines,
            iban=claim.creditor.iban,
            bic=claim.creditor.bic,
            deadline=step_deadline(step, claim, AT),
            identity=_identity(claim, "en"),
        )
    )
    total = lines[0].amount_to_pay + lines[1].amount_to_pay
    text, body = flat(message.body), html_text(message.alternatives[0][0])
    for shown in (text, body):
        for line in lines:
            assert line.reference in shown
            assert money(line.amount_to_pay, "en") in shown
            assert money(line.interest_due, "en") in shown
            assert money(line.costs_due, "en") in shown
        assert f"Total of all files: {money(total, 'en')}" in shown
    assert message.subject.startswith('L\'Atelier "Dumont" & Fils')
    for entity in ("&quot;", "&#x27;", "&amp;"):
        assert entity not in message.subject


def test_the_engine_sends_the_first_reminder_with_one_deadline(smtp_inbox):
    """Through the engine and a real SMTP server: the deadline the engine
    keeps, the one in the e-mail and the one in the attached PDF are one day,
    and the engine charges the announced indemnity only the day after it."""
    from claims.engine.run import actions_deliver

    claim = make_claim("BE", "consumer", "fr", penalty_clause_percent=10)
    scenario = f.ScenarioFactory(creditor=claim.creditor)
    step = f.ScenarioStepFactory(
        scenario=scenario,
        kind="first_reminder",
        channel="email",
        template="reminder",
        attach_pdf=True,
        deadline_days=10,
    )
    action = f.ActionFactory(claim=claim, step=step, due_on=AT)
    actions_deliver(
        creditor_id=claim.creditor_id,
        debtor_id=claim.debtor_id,
        action_ids=[action.pk],
        today=AT,
    )
    action.refresh_from_db()
    claim.refresh_from_db()
    # Sent Monday 2 March by e-mail: 3 → 16 March (art. XIX.2 CDE).
    assert action.deadline_on == claim.reply_by == dt.date(2026, 3, 16)
    ((_envelope, msg),) = smtp_inbox.messages
    parts = {
        p.get_content_type(): p.get_payload(decode=True)
        for p in msg.walk()
        if not p.is_multipart()
    }
    text = flat(parts["text/plain"].decode())
    body = html_text(parts["text/html"].decode())
    pdf = pdf_text(parts["application/pdf"])
    for shown in (text, body, pdf):
        assert "se termine le 16 mars 2026 inclus" in shown
        assert "Ce premier rappel est gratuit." in shown
        # 10 % clause = 355,55 € capped by art. XIX.4 at 217,78 €.
        assert money(Decimal("217.78"), "fr") in shown
    on_deadline = claim_statement(claim=claim, at=action.deadline_on)
    assert on_deadline.costs == 0
    assert on_deadline.interest == 0
    next_day = claim_statement(
        claim=claim, at=action.deadline_on + dt.timedelta(days=1)
    )
    assert next_day.costs == Decimal("217.78")
