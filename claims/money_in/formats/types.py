"""Values shared by the import parsers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 20 * 1024 * 1024  # a month of a busy account is far below this


class ParseError(ValueError):
    """A file refused whole: ``message`` (French) says why, ``location`` where."""

    def __init__(self, message: str, location: str = "") -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location} : {message}" if location else message)


@dataclass(frozen=True)
class BankEntry:
    """One movement of a statement (a batch entry yields one per transaction).

    ``amount`` is positive; ``is_credit`` tells the direction. Only credits that
    are not reversals are payment candidates; the others carry ``skip_reason``.
    """

    idempotency_key: str
    account: str
    booking_date: date
    amount: Decimal
    currency: str
    is_credit: bool
    value_date: date | None = None
    counterparty_name: str = ""
    counterparty_iban: str = ""
    structured_reference: str = ""
    free_text: str = ""
    skip_reason: str = ""

    @property
    def is_candidate(self) -> bool:
        return self.is_credit and not self.skip_reason


def check_size(data: bytes, *, limit: int = MAX_FILE_BYTES) -> None:
    if len(data) > limit:
        raise ParseError(
            f"Fichier trop volumineux ({len(data)} octets, maximum {limit}).", "fichier"
        )
    if not data.strip():
        raise ParseError(_("Le fichier est vide."), "fichier")


def entry_key(*parts: object) -> str:
    """Stable idempotency key: the same movement gives the same key on re-import."""
    raw = "|".join(str(p) for p in parts)
    return hashlib.sha256(raw.encode()).hexdigest()[:40]
