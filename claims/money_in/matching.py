"""Match incoming bank credits to open claims (pure: no ORM, no clock).

Order of the rules, first hit wins:
1. the Belgian structured communication (OGM/VCS) of a claim, found in the
   structured reference or written in the free text;
2. an invoice number or a claim reference found in the free text;
3. the amount equals the balance of an open claim of a debtor who already paid
   from the same IBAN.
A rule that finds several claims makes the line ambiguous (a person chooses);
no rule at all leaves it unmatched.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

MATCHED = "matched"
AMBIGUOUS = "ambiguous"
UNMATCHED = "unmatched"

_OGM_IN_TEXT = re.compile(
    r"(?<!\d)(\d{3})\s*/\s*(\d{4})\s*/\s*(\d{5})(?!\d)|(?<!\d)(\d{12})(?!\d)"
)
_TOKEN_SPLIT = re.compile(r"[\s,;:()\[\]]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_NOT_DIGIT = re.compile(r"\D")
MIN_REFERENCE_LENGTH = 3


def normalize_reference(value: str) -> str:
    """``F-2024/001`` and ``f 2024 001`` compare equal: upper-case letters and digits."""
    return _NOT_ALNUM.sub("", value.upper())


@dataclass(frozen=True)
class LineToMatch:
    key: str
    amount: Decimal
    counterparty_iban: str = ""
    structured_reference: str = ""
    free_text: str = ""


@dataclass
class ClaimIndex:
    """Open claims of one creditor, keyed the ways a payment can point at them."""

    by_ogm: dict[str, int] = field(default_factory=dict)
    by_reference: dict[str, set[int]] = field(default_factory=dict)
    by_iban_amount: dict[tuple[str, Decimal], set[int]] = field(default_factory=dict)

    def add_ogm(self, reference: str, claim_id: int) -> None:
        digits = _NOT_DIGIT.sub("", reference)
        if len(digits) == 12:
            self.by_ogm[digits] = claim_id

    def add_reference(self, reference: str, claim_id: int) -> None:
        key = normalize_reference(reference)
        if len(key) >= MIN_REFERENCE_LENGTH:
            self.by_reference.setdefault(key, set()).add(claim_id)

    def add_iban_amount(self, iban: str, amount: Decimal, claim_id: int) -> None:
        key = (iban.replace(" ", "").upper(), amount)
        self.by_iban_amount.setdefault(key, set()).add(claim_id)


@dataclass(frozen=True)
class Decision:
    key: str
    status: str
    claim_id: int | None = None
    reason: str = ""
    candidates: tuple[int, ...] = ()


def match_lines(lines: Iterable[LineToMatch], index: ClaimIndex) -> list[Decision]:
    """One decision per line, in the order of the lines."""
    return [match_line(line, index) for line in lines]


def match_line(line: LineToMatch, index: ClaimIndex) -> Decision:
    for rule in (_by_ogm, _by_reference, _by_iban_amount):
        decision = rule(line, index)
        if decision is not None:
            return decision
    return Decision(line.key, UNMATCHED)


def _decide(line: LineToMatch, found: set[int], reason: str) -> Decision | None:
    if not found:
        return None
    if len(found) == 1:
        return Decision(line.key, MATCHED, next(iter(found)), reason)
    return Decision(line.key, AMBIGUOUS, None, reason, tuple(sorted(found)))


def _ogm_candidates(line: LineToMatch) -> list[str]:
    out = []
    digits = _NOT_DIGIT.sub("", line.structured_reference)
    if len(digits) == 12:
        out.append(digits)
    for m in _OGM_IN_TEXT.finditer(line.free_text):
        out.append("".join(g for g in m.groups() if g))
    return out


def _by_ogm(line: LineToMatch, index: ClaimIndex) -> Decision | None:
    found = {index.by_ogm[d] for d in _ogm_candidates(line) if d in index.by_ogm}
    d = next((d for d in _ogm_candidates(line) if d in index.by_ogm), "")
    ogm = f"+++{d[:3]}/{d[3:7]}/{d[7:]}+++"
    return _decide(line, found, f"Communication structurée {ogm}")


def _tokens(text: str) -> list[str]:
    words = [w for w in _TOKEN_SPLIT.split(text.upper()) if w]
    keys = [normalize_reference(w) for w in words]
    # "F 13110862" is written with a space: also try each pair of neighbours.
    keys += [a + b for a, b in itertools.pairwise(keys)]
    return [k for k in keys if len(k) >= MIN_REFERENCE_LENGTH]


def _by_reference(line: LineToMatch, index: ClaimIndex) -> Decision | None:
    hits: dict[str, set[int]] = {}
    for token in _tokens(line.free_text + " " + line.structured_reference):
        if token in index.by_reference:
            hits[token] = index.by_reference[token]
    found = set().union(*hits.values()) if hits else set()
    return _decide(
        line, found, f"Référence dans la communication : {', '.join(sorted(hits))}"
    )


def _by_iban_amount(line: LineToMatch, index: ClaimIndex) -> Decision | None:
    if not line.counterparty_iban:
        return None
    iban = line.counterparty_iban.replace(" ", "").upper()
    found = index.by_iban_amount.get((iban, line.amount), set())
    return _decide(line, set(found), f"Montant {line.amount} et IBAN {iban}")
