"""The portal's nl/en catalogues, compiled on the fly, translate the debtor's pages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext not installed"),
]

PO = Path(__file__).resolve().parents[3] / "letters" / "portal" / "translations"


@pytest.fixture
def compiled(settings, tmp_path):
    for lang in ("nl", "en"):
        out = tmp_path / lang / "LC_MESSAGES"
        out.mkdir(parents=True)
        subprocess.run(
            ["msgfmt", "--check", "-o", str(out / "django.mo"), str(PO / f"{lang}.po")],
            check=True,
        )
    settings.LOCALE_PATHS = [tmp_path]  # resets Django's translation cache


def test_the_switcher_shows_the_claim_in_dutch_then_english(compiled, portal, claim):
    dutch = portal.get(f"/p/c/{claim.code}/?lang=nl").text
    assert "Nog te betalen" in dutch
    assert "Ik betwist" in dutch
    english = portal.get(f"/p/c/{claim.code}/?lang=en").text
    assert "Left to pay" in english
    assert "I ask for a payment plan" in english


def test_the_refusal_page_follows_the_chosen_language(compiled, client):
    assert "Deze link is niet (meer) geldig" in client.get("/p/t/nope/?lang=nl").text
