"""Hostile parameters: malformed codes, open redirects, formulas in exports,
escaped subjects, the client IP behind the proxy (issue: security second pass)."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import load_workbook

from claims.security.params import cell_safe
from claims.security.params import safe_next
from claims.security.params import uuid_or_none
from tests import factories as f

pytestmark = pytest.mark.django_db

FORMULAS = ["=1+2", "+SUM(A1)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "\t=1", "\r=1"]


@given(st.text(max_size=80))
@hsettings(max_examples=200)
def test_uuid_or_none_never_raises(value):
    result = uuid_or_none(value)
    assert result is None or str(result) == value.strip().lower() or result.hex


@pytest.mark.parametrize("bad", ["x", "1' OR 1=1", "0" * 100, "ééé", ""])
def test_malformed_codes_answer_without_500(client, cast, bad):
    client.force_login(cast.owner)
    page = client.get(reverse("claims:claim_create"), {"debtor": bad})
    assert page.status_code == 200
    bulk = client.post(
        reverse("claims:claim_bulk"), {"claims": [bad], "action": "pause"}, follow=False
    )
    assert bulk.status_code == 302
    switch = client.post(reverse("claims:switch_creditor"), {"creditor": bad})
    assert switch.status_code == 404
    if not bad:
        return  # an empty claim field asks for a link to all the debtor's claims
    debtor = f.DebtorFactory(creditor=cast.creditor)
    links = client.post(
        reverse("portal:token_issue", args=[debtor.code]), {"claim": bad}
    )
    assert links.status_code == 404
    assert not debtor.portal_tokens.exists()


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "http:evil.example", "\\\\evil"],
)
def test_bulk_next_never_leaves_the_site(client, cast, target):
    client.force_login(cast.owner)
    claim = f.ClaimFactory(creditor=cast.creditor)
    response = client.post(
        reverse("claims:claim_bulk"),
        {"claims": [str(claim.code)], "action": "pause", "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:claim_list")


def test_bulk_next_keeps_a_local_path(client, cast):
    client.force_login(cast.owner)
    response = client.post(
        reverse("claims:claim_bulk"),
        {"claims": [], "action": "pause", "next": "/claims/?stage=amicable"},
    )
    assert response["Location"] == "/claims/?stage=amicable"


def test_safe_next_rejects_other_hosts(rf):
    request = rf.get("/")
    assert safe_next(request, "https://evil.example/", "/home/") == "/home/"
    assert safe_next(request, "/claims/", "/home/") == "/claims/"


@pytest.mark.parametrize("value", FORMULAS)
def test_cell_safe_neutralises_formulas(value):
    assert cell_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["-12.50", "+3", "42", "Dupont", "", Decimal("-4")])
def test_cell_safe_keeps_numbers_and_text(value):
    assert cell_safe(value) == value


def _formula_debtor(cast):
    debtor = f.DebtorFactory(creditor=cast.creditor, name="=HYPERLINK(\"x\")")
    return f.ClaimFactory(
        creditor=cast.creditor,
        debtor=debtor,
        reference="@SUM(1)",
        invoices=[{"amount": Decimal("100.00"), "description": "=1+2"}],
    )


def test_claims_export_csv_and_xlsx_carry_no_live_formula(client, cast):
    _formula_debtor(cast)
    client.force_login(cast.owner)
    url = reverse("claims:export_claims")
    text = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text), delimiter=";") for c in row]
    assert "'=HYPERLINK(\"x\")" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert "'=HYPERLINK(\"x\")" in values
    assert not any(
        isinstance(v, str) and v.startswith(("=", "+", "@")) for v in values
    )


def test_bailiff_invoices_csv_carries_no_live_formula(cast):
    import datetime as dt

    from letters.services import bailiff_file_build
    from letters.services import document_bytes

    claim = _formula_debtor(cast)
    doc = bailiff_file_build(claim=claim, today=dt.date(2026, 4, 1))
    zf = zipfile.ZipFile(io.BytesIO(document_bytes(document=doc)))
    rows = list(csv.reader(io.StringIO(zf.read("invoices.csv").decode())))
    assert rows[1][0] == "'@SUM(1)-1"
    assert rows[1][-1] == "'=1+2"


def test_email_subject_and_text_are_not_html_escaped():
    from letters.emails import EmailSpec
    from letters.emails import email_build

    spec = EmailSpec(
        template="reminder",
        kind="reminder",
        language="fr",
        creditor_name="Dupont & Fils <Liège>",
        sender_email="",
        reply_to="",
        to=["a@example.test"],
        claims=[],
        iban="",
        bic="",
        deadline=None,
    )
    message = email_build(spec)
    assert "&amp;" not in message.subject
    assert "&amp;" not in message.body
    assert "Dupont & Fils" in message.from_email or "Dupont & Fils" in message.body
    html = message.alternatives[0][0]
    assert "Dupont &amp; Fils" in html  # the HTML part stays escaped
    assert mail.outbox == []


def test_portal_rate_limit_keys_on_the_proxy_client_ip(client, settings):
    from claims.security.net import client_ip
    from letters.portal.guard import over_limit

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = client.get("/").wsgi_request
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    request.META["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
    assert client_ip(request) == "203.0.113.9"
    settings.SECURE_PROXY_SSL_HEADER = None
    assert client_ip(request) == "127.0.0.1"
    # the portal's rate limit keys on that one address
    assert not over_limit(request, "probe")


def test_one_client_ip_function():
    """Every module that needs the visitor's address imports the one function."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    defined = sorted(
        str(p.relative_to(root))
        for folder in ("claims", "letters", "recouvrement")
        for p in (root / folder).rglob("*.py")
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.FunctionDef) and "client_ip" in node.name
    )
    assert defined == ["claims/security/net.py"]


def test_one_client_ip_function_reads_the_address():
    """Behind the proxy only claims.security.net.client_ip knows the visitor's
    address: no other module reads REMOTE_ADDR or X-Forwarded-For itself."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readers = sorted(
        str(p.relative_to(root))
        for folder in ("claims", "letters", "recouvrement")
        for p in (root / folder).rglob("*.py")
        if "migrations" not in p.parts
        and ("REMOTE_ADDR" in p.read_text() or "HTTP_X_FORWARDED_FOR" in p.read_text())
    )
    assert readers == ["claims/security/net.py"]
