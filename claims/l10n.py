"""Numbers, amounts and dates the way each language writes them, and amounts
read back the way Belgians and the French type them.

One place for both directions: every template (``|money``, ``|number``,
``|day``), every letter, CSV export and timeline entry formats through
:func:`format_amount` / :func:`format_number` / :func:`format_date`, and every
amount field or filter reads through :func:`parse_amount`.

- French: ``1 234,56 €`` (no-break spaces between groups and before €);
- Dutch (Belgium): ``€ 1.234,56``;
- English: ``€1,234.56``;
- dates ``28/11/2026`` in the three languages (day first, as in Belgium,
  France and the United Kingdom: never the American month first).
"""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _

NBSP = "\u00a0"
_SYMBOLS = {"EUR": "€"}
#: (decimal mark, group separator) per language.
#: French groups thousands with a narrow no-break space (U+202F).
_MARKS = {"fr": (",", "\u202f"), "nl": (",", "."), "en": (".", ",")}
#: Spaces people (and spreadsheets) put between groups of digits.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']")


def lang_of(lang: str | None = None) -> str:
    """``fr``, ``nl`` or ``en``: the given language or the active one."""
    code = (lang or translation.get_language() or "fr")[:2].lower()
    return code if code in _MARKS else "fr"


def format_number(value: object, places: int = 2, *, lang: str | None = None) -> str:
    """``1234.5`` → ``1 234,50`` (fr), ``1.234,50`` (nl), ``1,234.50`` (en).

    Rounds half up to ``places``; ``places=None``-like behaviour is not
    offered on purpose: a figure the user sees always has a fixed precision.
    Empty string for None and for what is not a number."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    if not number.is_finite():
        return ""
    exponent = Decimal(1).scaleb(-places)
    number = number.quantize(exponent, rounding=ROUND_HALF_UP)
    point, group = _MARKS[lang_of(lang)]
    sign = "-" if number < 0 else ""
    text = f"{abs(number):.{places}f}"
    whole, _dot, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", group)
    return f"{sign}{grouped}{point if fraction else ''}{fraction}"


def format_amount(
    value: object, currency: str = "EUR", *, lang: str | None = None
) -> str:
    """An amount with its currency, two decimals: ``1 234,56 €`` / ``€ 1.234,56`` / ``€1,234.56``."""
    number = format_number(value, 2, lang=lang)
    if not number:
        return ""
    symbol = _SYMBOLS.get(currency or "EUR", currency or "EUR")
    code = lang_of(lang)
    if code == "fr":
        return f"{number}{NBSP}{symbol}"
    sign, digits = ("-", number[1:]) if number.startswith("-") else ("", number)
    if code == "nl":
        return f"{sign}{symbol}{NBSP}{digits}"
    return f"{sign}{symbol}{digits}"


def format_rate(value: object, *, lang: str | None = None) -> str:
    """A yearly rate: ``2,15 %`` (fr, nl) or ``2.15%`` (en); trailing zeros dropped."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    places = max(0, -number.normalize().as_tuple().exponent)  # type: ignore[operator]
    text = format_number(number, min(places, 3), lang=lang)
    return f"{text}%" if lang_of(lang) == "en" else f"{text}{NBSP}%"


def format_date(value: date | datetime | str | None, *, lang: str | None = None) -> str:
    """``28/11/2026`` in every language (day first); empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


class AmountError(ValueError):
    """An amount that cannot be read; ``str()`` is the message for the user."""


def parse_amount(text: object, *, places: int = 2) -> Decimal:
    """Read an amount the way people type it in Belgium, France and elsewhere.

    Accepts ``1.000,00``, ``1 000,00`` (spaces, no-break and thin spaces),
    ``1000.00``, ``1,000.00``, ``1000,5``, ``€ 12`` and ``12 EUR``. With a
    single kind of separator, it is the decimal mark unless it is repeated or
    followed by exactly three digits (``1.000`` is a thousand: amounts never
    have three decimals). Groups must be of three digits (``1.00.0`` is
    refused). Raises :class:`AmountError` with a message for the user.
    """
    if isinstance(text, Decimal | int):
        raw = str(text)
    elif isinstance(text, float):
        raw = repr(text)
    else:
        raw = str(text or "")
    shown = raw.strip()
    cleaned = re.sub(r"(?i)eur|€", "", shown)
    cleaned = _SPACES.sub("", cleaned)
    sign = ""
    if cleaned[:1] in "+-" and cleaned:
        sign, cleaned = ("-" if cleaned[0] == "-" else ""), cleaned[1:]
    if re.fullmatch(r"\d+(?:\.\d+)?[eE][+-]?\d+", cleaned):
        # A spreadsheet's scientific notation (1E+15): the rules judge its size.
        return _quantized(Decimal(sign + cleaned), places, shown)
    if not cleaned or not re.fullmatch(r"[\d.,]+", cleaned) or not cleaned[0].isdigit():
        raise AmountError(_("« %(v)s » n'est pas un montant.") % {"v": shown})
    commas, dots = cleaned.count(","), cleaned.count(".")
    if commas and dots:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
    elif commas or dots:
        mark = "," if commas else "."
        tail = cleaned.rsplit(mark, 1)[1]
        decimal_mark = (
            "" if cleaned.count(mark) > 1 or (len(tail) == 3 and places < 3) else mark
        )
    else:
        decimal_mark = ""
    whole, fraction = cleaned.rsplit(decimal_mark, 1) if decimal_mark else (cleaned, "")
    groups = re.split(r"[.,]", whole)
    if decimal_mark and re.search(r"[.,]", fraction):
        raise AmountError(_("« %(v)s » n'est pas un montant.") % {"v": shown})
    if len(groups) > 1 and (
        not 1 <= len(groups[0]) <= 3
        or groups[0].startswith("0")
        or any(len(g) != 3 for g in groups[1:])
    ):
        raise AmountError(_("« %(v)s » n'est pas un montant.") % {"v": shown})
    if decimal_mark and not fraction:
        raise AmountError(_("« %(v)s » n'est pas un montant.") % {"v": shown})
    number = Decimal(sign + "".join(groups) + ("." + fraction if fraction else ""))
    if fraction and len(fraction) > places:
        raise AmountError(
            _("« %(v)s » a plus de %(n)s décimales.") % {"v": shown, "n": places}
        )
    return _quantized(number, places, shown)


def _quantized(number: Decimal, places: int, shown: str) -> Decimal:
    try:
        return number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # more digits than a Decimal holds: not an amount
        raise AmountError(_("« %(v)s » n'est pas un montant.") % {"v": shown}) from None


class AmountField(forms.DecimalField):
    """A money field that reads ``1.000,00``, ``1 000,00`` and ``1000.00``.

    A text input (``inputmode=decimal``): a browser's number input refuses the
    comma or the spaces in some locales and sends nothing at all."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        for key in ("step", "min", "max"):
            attrs.pop(key, None)
        attrs["inputmode"] = "decimal"
        return attrs

    widget = forms.TextInput

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value, places=self.decimal_places or 2)
        except AmountError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None
