"""HTML and PDF rendering — the ONLY module importing WeasyPrint.

Static files (CSS, fonts, images) are read from disk through a url_fetcher;
nothing is fetched from the network. The FontConfiguration is created once
per process and reused, which keeps warm renders fast.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
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


def html_to_pdf(html: str) -> bytes:
    """Render ``html`` to PDF bytes (A4 is set by the letter stylesheet)."""
    weasyprint, fonts = _weasy()
    doc = weasyprint.HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=_fetcher())
    return doc.write_pdf(font_config=fonts)


def weasyprint_version() -> str:
    """The WeasyPrint version (raises ImportError when it cannot load)."""
    weasyprint, _ = _weasy()
    return str(weasyprint.__version__)
