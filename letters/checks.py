"""System check: WeasyPrint and its fonts load (letters cannot be rendered otherwise)."""

from __future__ import annotations

from typing import Any

from django.core import checks


@checks.register()
def weasyprint_loads(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    try:
        from letters.rendering import weasyprint_version

        weasyprint_version()
    except Exception as exc:
        return [
            checks.Error(
                f"WeasyPrint cannot be loaded: {exc}",
                hint="Install Pango (libpango-1.0-0) and fonts (fonts-liberation).",
                id="letters.E001",
            )
        ]
    return []
