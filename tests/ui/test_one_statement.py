"""One statement, everywhere: every surface shows the statement's amount due.

The case of the issue: an invoice, the 40 € B2B indemnity, interest, and a
partial payment that the statement allocates to costs, then interest, then
principal. "Invoice minus payments" is a different (wrong) figure; the list,
the debtor page, the claim page, the payment confirmation, the portal, the
e-mail, the PDF, the EPC QR code, the CSV/XLSX exports and the bailiff file
must all show the statement's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from claims.ledger.statements import amount_to_pay
from claims.ledger.statements import claim_statement
from claims.ledger.statements import creditor_today
from claims.models import Claim
from claims.templatetags.money import format_money
from letters.bailiff import bailiff_zip
from letters.context import letter_context
from letters.delivery import _claim_line
from letters.emails import EmailSpec
from letters.emails import email_build
from letters.portal.tokens import portal_token_issue
from letters.services import letter_render
from letters.services import parties_for
from tests import factories as f
from tests.letters.helpers import pdf_text

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 20, 11, 0, tzinfo=ZoneInfo("Europe/Brussels"))
INVOICE = Decimal("700.00")
PAID = Decimal("150.00")


def _fr(amount: Decimal) -> str:
    return format_money(amount, lang="fr").replace("\u00a0", " ").replace("\u202f", " ")


def _text(body: str) -> str:
    return " ".join(body.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def claim(cast, travel):
    debtor = f.DebtorFactory(creditor=cast.creditor, name="Boulangerie Client SA")
    return f.ClaimFactory(
        creditor=cast.creditor,
        debtor=debtor,
        reference="C-TRUTH-1",
        invoices=[
            {
                "issue_date": dt.date(2026, 1, 15),
                "due_date": dt.date(2026, 2, 14),
                "amount": INVOICE,
                "vat_amount": Decimal("0.00"),
            }
        ],
    )


def test_every_surface_shows_the_statements_amount(client, cast, claim):
    today = creditor_today(cast.creditor)
    assert today == NOW.date()
    client.force_login(cast.owner)

    # The payment, recorded through the page: the confirmation message.
    response = client.post(
        reverse("claims:claim_payment", kwargs={"code": claim.code}),
        {"amount": "150,00", "on": "2026-04-01", "method": "transfer"},
        follow=True,
    )
    assert response.status_code == 200
    confirmation = " ".join(str(m) for m in response.context["messages"])

    statement = claim_statement(claim=Claim.objects.get(pk=claim.pk), at=today)
    due = amount_to_pay(statement)
    # The case of the issue: the payment went to the 40 € and the interest
    # first, so what is due is not "invoice minus payments".
    (allocation,) = statement.allocations
    assert allocation.to_costs == Decimal("40.00")
    assert allocation.to_interest > 0
    assert statement.interest_due > 0
    assert due > INVOICE - PAID
    shown = _fr(due)
    assert _fr(INVOICE - PAID) != shown

    assert f"→ {shown}" in _text(confirmation)

    # Stored figures (list, debtor pages, dashboard, exports) = the statement.
    claim.refresh_from_db()
    assert claim.balance == due
    assert claim.figures_at == today
    assert (claim.due_principal, claim.due_interest, claim.due_costs) == (
        statement.principal_due,
        statement.interest_due,
        statement.costs_due,
    )

    pages = {
        "claim list": reverse("claims:claim_list"),
        "debtor page": reverse(
            "claims:debtor_detail", kwargs={"code": claim.debtor.code}
        ),
        "debtor list": reverse("claims:debtor_list"),
        "claim page": reverse("claims:claim_detail", kwargs={"code": claim.code}),
        "dashboard": reverse("claims:dashboard"),
    }
    for name, url in pages.items():
        body = _text(client.get(url).content.decode())
        assert shown in body, name
        assert _fr(INVOICE - PAID) not in body, name

    # Exports: CSV and XLSX of the claims, the list's CSV.
    header, *data = _csv_rows(
        client.get(reverse("claims:export_claims") + "?format=csv").content
    )
    row = next(r for r in data if "C-TRUTH-1" in r)
    assert Decimal(row[header.index("Solde")].replace(",", ".")) == due
    xlsx = client.get(reverse("claims:export_claims") + "?format=xlsx").content
    sheet = list(load_workbook(io.BytesIO(xlsx)).active.values)
    xrow = next(r for r in sheet if "C-TRUTH-1" in r)
    assert Decimal(str(xrow[list(sheet[0]).index("Solde")])) == due
    list_csv = client.get(reverse("claims:claim_list") + "?format=csv").content
    lheader, *ldata = _csv_rows(list_csv)
    lrow = next(r for r in ldata if "C-TRUTH-1" in r)
    assert Decimal(lrow[lheader.index("Solde")].replace(",", ".")) == due

    # The debtor portal.
    _token, raw = portal_token_issue(debtor=claim.debtor, claim=claim)
    portal = client.__class__()
    assert portal.get(f"/p/t/{raw}/").status_code == 302
    page = portal.get(f"/p/c/{claim.code}/")
    assert page.status_code == 200
    portal_text = _text(page.content.decode())
    portal_due = _fr(due)  # the interface's one French format
    assert f'id="total-due">{portal_due}' in portal_text
    assert f"<dd>{portal_due}</dd>" in portal_text  # the amount to transfer
    assert f"\nEUR{due}\n" in page.context["qr_payload"]

    # The letter: its EPC QR payload, its PDF text.
    context = letter_context(
        kind="reminder",
        parties=parties_for(claim),
        statement=claim_statement(claim=claim, at=today),
        at=today,
        language="fr",
    )
    assert f"\nEUR{due}\n" in context["qr_payload"]
    pdf = letter_render(claim=claim, kind="reminder", at=today, language="fr")
    assert shown in pdf_text(pdf)

    # The e-mail text (and its HTML part).
    line = _claim_line(Claim.objects.get(pk=claim.pk), today)
    message = email_build(
        EmailSpec(
            template="reminder",
            kind="reminder",
            language="fr",
            creditor_name=cast.creditor.legal_name,
            sender_email="",
            reply_to="",
            to=["client@example.com"],
            claims=[line],
            iban=cast.creditor.iban,
            bic=cast.creditor.bic,
            deadline=today + dt.timedelta(days=15),
        )
    )
    assert shown in _text(message.body)
    assert shown in _text(message.alternatives[0][0])

    # The bailiff file: claim.json.
    archive = bailiff_zip(
        claim=claim, parties=parties_for(claim), today=today, language="fr"
    )
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        name = next(n for n in zf.namelist() if n.endswith("claim.json"))
        data = json.loads(zf.read(name))
    assert Decimal(_find(data, "total_due")) == due


def _csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
    return list(csv.reader(io.StringIO(text), dialect))


def _find(data: object, key: str) -> str:
    """The first value of ``key`` anywhere in a JSON document."""
    if isinstance(data, dict):
        if key in data:
            return data[key]
        for value in data.values():
            found = _find(value, key)
            if found is not None:
                return found
    if isinstance(data, list):
        for value in data:
            found = _find(value, key)
            if found is not None:
                return found
    return None  # type: ignore[return-value]


def test_the_nightly_refresh_follows_interest_day_by_day(cast):
    from claims.engine.tasks import claims_refresh_figures_task
    from claims.ledger.services import claims_refresh_stale

    with time_machine.travel(NOW, tick=False):
        claim = f.ClaimFactory(
            creditor=cast.creditor,
            invoices=[
                {
                    "issue_date": dt.date(2026, 1, 15),
                    "due_date": dt.date(2026, 2, 14),
                    "amount": INVOICE,
                }
            ],
        )
        closed = f.ClaimFactory(creditor=cast.creditor)
        Claim.objects.filter(pk=closed.pk).update(status="closed", stage="closed")
        claim.refresh_from_db()
        first = claim.balance
        assert claim.figures_at == NOW.date()
        # Nothing is stale the same day.
        assert claims_refresh_stale(now=NOW).written == 0

    seen = [first]
    for days in (1, 2, 30):
        later = NOW + dt.timedelta(days=days)
        with time_machine.travel(later, tick=False):
            if days == 30:
                # The beat's Celery task runs the same refresh.
                assert claims_refresh_figures_task() == 1
            else:
                assert claims_refresh_stale(now=later).written == 1
            claim.refresh_from_db()
            expected = claim_statement(claim=claim, at=later.date())
            assert claim.figures_at == later.date()
            assert claim.balance == expected.total_due
            assert claim.due_interest == expected.interest_due
            seen.append(claim.balance)
    # Interest keeps running: the stored figure grows with it.
    assert seen == sorted(seen)
    assert len(set(seen)) == len(seen)
    closed.refresh_from_db()
    assert closed.figures_at == NOW.date()  # closed claims are left alone


def test_the_refresh_is_set_based(cast, django_assert_max_num_queries):
    from claims.ledger.services import claims_refresh_figures

    claims = [f.ClaimFactory(creditor=cast.creditor) for _ in range(3)]
    Claim.objects.update(balance=Decimal("1.00"), figures_at=None)
    # Warm the rate table cache so only the claims' queries are counted.
    claim_statement(claim=claims[0], at=dt.date(2026, 5, 1))
    with django_assert_max_num_queries(8) as few:
        claims_refresh_figures(claim_ids=[c.pk for c in claims])
    more = [f.ClaimFactory(creditor=cast.creditor) for _ in range(12)]
    with django_assert_max_num_queries(len(few.captured_queries)):
        claims_refresh_figures(claim_ids=[c.pk for c in claims + more])
    for c in claims + more:
        c.refresh_from_db()
        assert c.balance == claim_statement(claim=c, at=c.figures_at).total_due
