"""The on-screen preview of a letter carries the letter's own stylesheet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from letters.rendering import STYLESHEET
from letters.services import override_preview
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_preview_inlines_the_letter_stylesheet():
    """The PDF gets the stylesheet pre-parsed; the preview (an iframe) must
    get it in the HTML, or the owner previews an unstyled letter."""
    creditor = f.CreditorFactory()
    claim = f.ClaimFactory(
        creditor=creditor,
        debtor=f.DebtorFactory(creditor=creditor),
        invoices=[{"amount": Decimal("500.00")}],
    )
    html = override_preview(
        claim=claim,
        template="formal_notice",
        language="fr",
        body="Nous restons sans nouvelles de votre part : {{ total }} avant le {{ deadline }}.",
        at=dt.date(2026, 3, 2),
    )
    head = html.split("</head>", 1)[0]
    assert STYLESHEET.read_text(encoding="utf-8") in head
    assert "Nous restons sans nouvelles de votre part" in html
