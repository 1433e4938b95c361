"""Creditor wording overrides: placeholders only, validated before they are saved.

An override replaces the opening paragraph of a letter. It may use only the
placeholders below (no template tags: creditor-typed text is never executed),
must keep the mandatory ones of its letter kind, and the whole letter must
still render with every legal mention (checked by rendering a preview).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from letters.templatetags.letters_tags import format_money

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
ALLOWED = ("total", "deadline", "reference", "creditor", "debtor")
REQUIRED = {
    "pre_due": ("total",),
    "first_reminder": ("total", "deadline"),
    "reminder": ("total", "deadline"),
    "formal_notice": ("total", "deadline"),
}
OVERRIDABLE = tuple(REQUIRED)


def override_errors(*, template: str, body: str) -> list[str]:
    """Why ``body`` cannot be used for ``template`` (empty list: it can)."""
    errors: list[str] = []
    if template not in OVERRIDABLE:
        errors.append(_("Ce modèle ne peut pas être personnalisé."))
        return errors
    if "{%" in body or "%}" in body:
        errors.append(_("Les balises {% … %} ne sont pas autorisées."))
    used = set(PLACEHOLDER.findall(body))
    unknown = sorted(used - set(ALLOWED))
    if unknown:
        errors.append(
            _("Variables inconnues : %(names)s.") % {"names": ", ".join(unknown)}
        )
    missing = [name for name in REQUIRED[template] if name not in used]
    if missing:
        errors.append(
            _("Mentions obligatoires manquantes : %(names)s.")
            % {"names": ", ".join("{{ " + m + " }}" for m in missing)}
        )
    return errors


def override_fill(
    body: str,
    *,
    total: Decimal,
    currency: str,
    deadline: date,
    reference: str,
    creditor: str,
    debtor: str,
    language: str,
) -> str:
    """The override's text with its placeholders replaced (plain text)."""
    from django.utils import formats
    from django.utils import translation

    with translation.override(language):
        values = {
            "total": format_money(total, currency, language),
            "deadline": formats.date_format(deadline, "j F Y"),
            "reference": reference,
            "creditor": creditor,
            "debtor": debtor,
        }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def override_check(*, template: str, body: str) -> None:
    """Raise ValidationError listing every problem of ``body``."""
    errors = override_errors(template=template, body=body)
    if errors:
        raise ValidationError(errors)
