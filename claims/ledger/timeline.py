"""Timeline entries stored as a message id plus parameters, read in the reader's language.

A writer says what happened once, in French, the source language::

    event_record(claim=c, kind=Event.Kind.PAYMENT,
                 message=said(gettext_noop("Paiement de %(a)s reçu le %(d)s"),
                              a=amount(paid, "EUR"), d=on))

:func:`said` returns the French text (a ``str``: ``Event.message`` keeps it
for old readers, exports and webhooks) that also carries the message id and
the parameters; :class:`~claims.models.Event` stores them in its ``data`` as
``{"t": msgid, "p": {...}}`` (``"a": [...]`` for positional ``%s``).
:func:`event_text` (the ``|event_text`` filter) renders an entry in the
active language: the message id through gettext, each parameter formatted
for that language (amounts, dates, choice labels, nested sentences). Entries
written before this existed have no ``"t"`` and show their French ``message``.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import pgettext

from claims.l10n import format_amount
from claims.l10n import format_date
from claims.l10n import format_number

#: Labels an entry's author may carry, shown in the reader's language.
ACTOR_LABELS = {
    "système": translation.gettext_noop("système"),
    "débiteur": translation.gettext_noop("débiteur"),
    "démo": translation.gettext_noop("démo"),
}


def amount(value: object, currency: str = "EUR") -> dict[str, str]:
    """A parameter that is an amount of money (formatted per language when read)."""
    return {"$": "amount", "v": str(value), "c": currency or "EUR"}


def _encode(value: object) -> object:
    if isinstance(value, Said):
        return {"$": "said", **value.stored()}
    if isinstance(value, dict) and "$" in value:
        return value
    if isinstance(value, Promise):
        args = getattr(value, "_args", ())
        if len(args) == 1 and isinstance(args[0], str):
            return {"$": "msg", "v": args[0]}
        if len(args) == 2 and all(isinstance(a, str) for a in args):
            return {"$": "pmsg", "c": args[0], "v": args[1]}
        with translation.override("fr"):
            return str(value)
    if isinstance(value, datetime):
        return {"$": "date", "v": timezone.localtime(value).date().isoformat()}
    if isinstance(value, date):
        return {"$": "date", "v": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$": "number", "v": str(value)}
    if isinstance(value, int | float | str) or value is None:
        return value
    return str(value)


def _decode(value: object) -> object:
    if not isinstance(value, dict) or "$" not in value:
        return "" if value is None else value
    kind = value["$"]
    if kind == "amount":
        return format_amount(value["v"], value.get("c", "EUR"))
    if kind == "date":
        return format_date(value["v"])
    if kind == "number":
        places = max(0, -Decimal(value["v"]).as_tuple().exponent)  # type: ignore[operator]
        return format_number(value["v"], places)
    if kind == "msg":
        return gettext(value["v"])
    if kind == "pmsg":
        return pgettext(value["c"], value["v"])
    if kind == "said":
        return render(value["t"], value.get("p"), value.get("a"))
    return value.get("v", "")


def render(msgid: str, params: dict | None = None, args: list | None = None) -> str:
    """The message in the active language, its parameters formatted for it."""
    text = gettext(msgid)
    try:
        if args:
            return text % tuple(_decode(a) for a in args)
        if params:
            return text % {k: _decode(v) for k, v in params.items()}
    except (KeyError, TypeError, ValueError):
        # A translation that does not fit its parameters: the source text.
        with translation.override("fr"):
            return render(msgid, params, args) if text != msgid else msgid
    return text


class Said(str):
    """The French text of an entry that remembers its message id and parameters."""

    msgid: str
    params: dict[str, object]
    args: list[object]

    def __new__(cls, msgid: str, args: tuple, params: dict[str, object]) -> Said:
        encoded_args = [_encode(a) for a in args]
        encoded = {k: _encode(v) for k, v in params.items()}
        with translation.override("fr"):
            text = render(msgid, encoded, encoded_args)
        obj = super().__new__(cls, text)
        obj.msgid, obj.params, obj.args = msgid, encoded, encoded_args
        return obj

    def stored(self) -> dict[str, object]:
        out: dict[str, object] = {"t": self.msgid}
        if self.params:
            out["p"] = self.params
        if self.args:
            out["a"] = self.args
        return out


def said(msgid: str, /, *args: object, **params: object) -> Said:
    """A timeline sentence: ``msgid`` (marked with ``gettext_noop``) and its parameters."""
    return Said(msgid, args, params)


def stored(message: object) -> dict[str, object]:
    """What an entry keeps in ``data`` to be read in another language (nothing for plain text)."""
    return message.stored() if isinstance(message, Said) else {}


def event_text(event: Any) -> str:
    """An entry in the active language; its French ``message`` when it has no id."""
    data = event.data if isinstance(event.data, dict) else {}
    if data.get("t"):
        return render(data["t"], data.get("p"), data.get("a"))
    return event.message


def actor_text(label: str) -> str:
    """« système », « débiteur » and « démo » in the reader's language; a user
    name as is."""
    source = ACTOR_LABELS.get(label)
    return gettext(source) if source else label


def choice(instance: Any, field: str) -> object:
    """The (lazy) label of a model's choice field: stored as its message id."""
    value = getattr(instance, field)
    return dict(instance._meta.get_field(field).flatchoices).get(value, value)
