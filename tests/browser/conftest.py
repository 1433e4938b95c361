"""Playwright (sync API) driving Debian's Chromium against the live server."""

from __future__ import annotations

from pathlib import Path

import pytest

# The session-wide ``browser`` fixture lives in tests/conftest.py: Playwright's
# sync API allows one running instance per process.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="fr-BE", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def shoot():
    """Save a full-page screenshot at desktop and phone widths."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    return take
