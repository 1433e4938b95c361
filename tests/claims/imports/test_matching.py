"""The matching rules, in order: OGM, reference in text, IBAN + amount."""

from __future__ import annotations

from decimal import Decimal

from claims.money_in.matching import AMBIGUOUS
from claims.money_in.matching import MATCHED
from claims.money_in.matching import UNMATCHED
from claims.money_in.matching import ClaimIndex
from claims.money_in.matching import LineToMatch
from claims.money_in.matching import match_line


def _index() -> ClaimIndex:
    index = ClaimIndex()
    index.add_ogm("+++240/2838/42818+++", 1)
    index.add_reference("F 13110862", 2)
    index.add_reference("C-000003", 3)
    index.add_reference("2024-77", 4)
    index.add_reference("2024-77", 5)
    index.add_iban_amount("BE61 3101 2698 5517", Decimal("50.00"), 6)
    index.add_iban_amount("NL34BKMG0261239759", Decimal("10.00"), 7)
    index.add_iban_amount("NL34BKMG0261239759", Decimal("10.00"), 8)
    return index


def _line(**kw) -> LineToMatch:
    return LineToMatch(key="k", amount=kw.pop("amount", Decimal("1.00")), **kw)


def test_structured_reference_wins():
    d = match_line(
        _line(structured_reference="240283842818", free_text="F13110862"), _index()
    )
    assert (d.status, d.claim_id) == (MATCHED, 1)
    assert d.reason == "Communication structurée +++240/2838/42818+++"


def test_ogm_written_in_the_free_text():
    d = match_line(_line(free_text="paiement 240/2838/42818 merci"), _index())
    assert (d.status, d.claim_id) == (MATCHED, 1)


def test_invoice_number_written_with_a_space():
    d = match_line(_line(free_text="FACTUUR F 13110862"), _index())
    assert (d.status, d.claim_id) == (MATCHED, 2)
    assert "F13110862" in d.reason


def test_claim_reference_in_lower_case():
    d = match_line(_line(free_text="dossier c-000003."), _index())
    assert (d.status, d.claim_id) == (MATCHED, 3)


def test_a_reference_of_two_claims_is_ambiguous():
    d = match_line(_line(free_text="fact 2024-77"), _index())
    assert (d.status, d.candidates) == (AMBIGUOUS, (4, 5))


def test_two_references_of_two_claims_is_ambiguous():
    d = match_line(_line(free_text="C-000003 et F 13110862"), _index())
    assert (d.status, d.candidates) == (AMBIGUOUS, (2, 3))


def test_iban_and_amount():
    d = match_line(
        _line(amount=Decimal("50.00"), counterparty_iban="BE61310126985517"), _index()
    )
    assert (d.status, d.claim_id) == (MATCHED, 6)
    d = match_line(
        _line(amount=Decimal("50.01"), counterparty_iban="BE61310126985517"), _index()
    )
    assert d.status == UNMATCHED
    d = match_line(
        _line(amount=Decimal("10.00"), counterparty_iban="NL34BKMG0261239759"), _index()
    )
    assert (d.status, d.candidates) == (AMBIGUOUS, (7, 8))


def test_nothing_found():
    d = match_line(_line(free_text="Service fee 2024"), _index())
    assert d.status == UNMATCHED
