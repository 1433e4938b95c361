"""HTML and PDF rendering — the ONLY module importing WeasyPrint.

Static files (CSS, fonts, images) are read from disk through a url_fetcher;
nothing is fetched from the network. What does not change between letters is
prepared once per process and reused: the FontConfiguration (fonts), the
letter stylesheet (``letters/pdf/letter.css``, parsed once into a WeasyPrint
CSS object) and the decoded images (logo, QR codes of a letter rendered
twice). :func:`warm` pays all of it up front; the Celery worker calls it at
start (``recouvrement.celery``), so no letter sent pays the font setup.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

STATIC_PREFIX = "static:/"


def render_html(
    template_name: str, context: dict[str, Any], *, language: str = ""
) -> str:
    """Render a Django template to HTML, in ``language`` when given."""
    if language:
        with translation.override(language):
            return render_to_string(template_name, context)
    return render_to_string(template_name, context)


@functools.cache
def _weasy() -> Any:
    import weasyprint  # the one place

    # WeasyPrint logs every rendering step at INFO; keep warnings only.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint.text.fonts import FontConfiguration

    return weasyprint, FontConfiguration()


@functools.cache
def _fetcher() -> Any:
    """A WeasyPrint URLFetcher serving static files from disk and data: URIs only."""
    from weasyprint.urls import URLFetcher
    from weasyprint.urls import URLFetcherResponse

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = ""
            if url.startswith(STATIC_PREFIX):
                path = url[len(STATIC_PREFIX) :]
            elif url.startswith(settings.STATIC_URL):
                path = url[len(settings.STATIC_URL) :]
            found = finders.find(path.lstrip("/")) if path else None
            if not found:
                raise ValueError(f"Refusing to fetch {url!r}: letters render offline")
            file = Path(str(found))
            mime, _enc = mimetypes.guess_type(file.name)
            return URLFetcherResponse(
                url,
                body=file.read_bytes(),
                headers={"Content-Type": mime or "application/octet-stream"},
            )

    return LocalFetcher(allowed_protocols=("data", "static"))


STYLESHEET = Path(__file__).parent / "templates" / "letters" / "pdf" / "letter.css"

# Decoded images by URL, kept per thread (a render reads its entries while it
# runs, so another thread must not empty them). Emptied between two renders
# once it holds more than IMAGE_CACHE_SIZE entries (each letter's QR code is one).
_LOCAL = threading.local()
IMAGE_CACHE_SIZE = 256


def _images() -> dict[str, Any]:
    images = getattr(_LOCAL, "images", None)
    if images is None or len(images) > IMAGE_CACHE_SIZE:
        images = _LOCAL.images = {}
    return images


@functools.cache
def _stylesheet() -> Any:
    """The letter stylesheet, parsed once (with the process's fonts)."""
    weasyprint, fonts = _weasy()
    return weasyprint.CSS(
        string=STYLESHEET.read_text(encoding="utf-8"),
        base_url=STATIC_PREFIX,
        url_fetcher=_fetcher(),
        font_config=fonts,
    )


def html_to_pdf(html: str) -> bytes:
    """Render ``html`` to PDF bytes with the letter stylesheet (A4, footers)."""
    weasyprint, fonts = _weasy()
    doc = weasyprint.HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=_fetcher())
    return doc.write_pdf(
        stylesheets=[_stylesheet()], font_config=fonts, cache=_images()
    )


def html_with_stylesheet(html: str) -> str:
    """``html`` with the letter stylesheet inlined, for an on-screen preview
    (a browser does not get the pre-parsed stylesheet the PDF renderer uses)."""
    css = STYLESHEET.read_text(encoding="utf-8")
    return html.replace("</head>", f"<style>\n{css}</style>\n</head>", 1)


def warm() -> None:
    """Load fonts, parse the stylesheet and lay out one page, once per process.

    The first render of a process otherwise pays the font discovery (hundreds
    of milliseconds); a worker calls this at start.
    """
    html_to_pdf(
        "<div class='letterhead'><div class='name'>Recouvrement</div></div>"
        "<p>Mise en demeure — <b>1 234,56 €</b> <i>art. 1344</i></p>"
        "<table class='statement'><tr><td class='num'>0,00 €</td></tr></table>"
    )


def weasyprint_version() -> str:
    """The WeasyPrint version (raises ImportError when it cannot load)."""
    weasyprint, _ = _weasy()
    return str(weasyprint.__version__)
