"""The shipped nl/en catalogues translate the debtor's pages."""

from __future__ import annotations

import shutil

import pytest

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext not installed"),
]


@pytest.fixture
def compiled():
    """The shipped catalogues (letters/locale), compiled by ``make install``."""
    from django.core.management import call_command

    call_command(
        "compilemessages",
        locale=["nl", "en"],
        ignore_patterns=[".venv", "node_modules"],
        verbosity=0,
    )


def test_the_switcher_shows_the_claim_in_dutch_then_english(compiled, portal, claim):
    dutch = portal.get(f"/p/c/{claim.code}/?lang=nl").text
    assert "Nog te betalen" in dutch
    assert "Ik betwist" in dutch
    english = portal.get(f"/p/c/{claim.code}/?lang=en").text
    assert "Still to pay" in english
    assert "I ask for a payment plan" in english


def test_the_refusal_page_follows_the_chosen_language(compiled, client):
    assert "Deze link is niet (meer) geldig" in client.get("/p/t/nope/?lang=nl").text
