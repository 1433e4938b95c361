"""Bank statement import on PostgreSQL: matching, booking, idempotency, queue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from claims.models import BankImport
from claims.models import BankLine
from claims.models import Claim
from claims.models import Event
from claims.models import Invoice
from claims.models import Payment
from claims.money_in.bank import Booking
from claims.money_in.bank import bank_line_candidates
from claims.money_in.bank import bank_line_ignore
from claims.money_in.bank import bank_line_match
from claims.money_in.bank import bank_statement_import
from claims.money_in.bank import payments_book_bulk
from claims.money_in.declarations import payment_declared
from claims.money_in.formats import ParseError
from tests import factories as f
from tests.figures import statement_balance

TODAY = date(2026, 3, 1)


def _camt(entries: list[tuple[str, str, str, str]]) -> bytes:
    """A CAMT.053.001.08 statement of credits (amount, ref, ustrd, iban)."""
    body = "".join(
        f"""<Ntry><NtryRef>R{i}</NtryRef><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-02-20</Dt></BookgDt><ValDt><Dt>2026-02-20</Dt></ValDt>
<NtryDtls><TxDtls><Refs><AcctSvcrRef>TX{i}</AcctSvcrRef></Refs>
<RltdPties><Dbtr><Pty><Nm>Client</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf>{f"<Ustrd>{ustrd}</Ustrd>" if ustrd else ""}{f"<Strd><CdtrRefInf><Ref>{ref}</Ref></CdtrRefInf></Strd>" if ref else ""}</RmtInf>
</TxDtls></NtryDtls></Ntry>"""
        for i, (amount, ref, ustrd, iban) in enumerate(entries)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-02-21T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><IBAN>BE68539007547034</IBAN></Id></Acct>{body}</Stmt>
</BkToCstmrStmt></Document>""".encode()


@pytest.fixture
def claims_(db):
    creditor = f.CreditorFactory()
    a = f.ClaimFactory(creditor=creditor, structured_reference="+++240/2838/42818+++")
    b = f.ClaimFactory(
        creditor=creditor,
        invoices=[{"amount": Decimal("500.00"), "vat_amount": Decimal("0")}],
    )
    c = f.ClaimFactory(creditor=creditor)
    return creditor, a, b, c


def test_it_books_matched_lines_and_queues_the_rest(claims_):
    creditor, a, b, _c = claims_
    data = _camt(
        [
            ("1210.00", "240283842818", "", "BE61310126985517"),
            ("200.00", "", f"Facture {b.reference}-1 acompte", ""),
            ("99.00", "", "Inconnu", "BE61310126985517"),
        ]
    )
    result = bank_statement_import(
        creditor=creditor, data=data, filename="s.xml", today=TODAY
    )
    assert (result.total, result.matched, result.queued) == (3, 2, 1)
    a.refresh_from_db()
    b.refresh_from_db()
    # The balance is the statement's (interest and fees included), refreshed.
    assert (a.paid, a.balance) == (Decimal("1210.00"), statement_balance(a))
    assert (b.paid, b.balance) == (Decimal("200.00"), statement_balance(b))
    pay = Payment.objects.get(claim=a)
    assert pay.match_reason == "Communication structurée +++240/2838/42818+++"
    assert pay.payer_iban == "BE61310126985517"
    assert Event.objects.filter(claim=b, kind=Event.Kind.PAYMENT).get().data[
        "balance_after"
    ] == str(statement_balance(b))
    assert BankLine.objects.get(status=BankLine.Status.UNMATCHED).amount == Decimal(
        "99.00"
    )


def test_the_same_file_twice_books_nothing_twice(claims_):
    creditor, a, *_ = claims_
    data = _camt([("100.00", "240283842818", "", "")])
    bank_statement_import(creditor=creditor, data=data, filename="s.xml", today=TODAY)
    again = bank_statement_import(
        creditor=creditor, data=data, filename="s.xml", today=TODAY
    )
    assert (again.total, again.matched, again.duplicates) == (0, 0, 1)
    assert Payment.objects.filter(claim=a).count() == 1
    a.refresh_from_db()
    assert a.paid == Decimal("100.00")


def test_a_malformed_file_writes_nothing(claims_):
    creditor, *_ = claims_
    data = _camt([("100.00", "240283842818", "", "")])
    with pytest.raises(ParseError):
        bank_statement_import(creditor=creditor, data=data[:-30], filename="s.xml")
    assert not BankImport.objects.exists()
    assert not Payment.objects.exists()


def test_other_creditors_claims_are_never_matched(claims_):
    _creditor, _a, *_ = claims_
    other = f.CreditorFactory()
    data = _camt([("100.00", "240283842818", "", "")])
    result = bank_statement_import(creditor=other, data=data, filename="s.xml")
    assert (result.matched, result.queued) == (0, 1)
    assert not Payment.objects.exists()


def test_iban_seen_before_and_amount_match(claims_):
    creditor, _a, _b, c = claims_
    payments_book_bulk(
        creditor=creditor,
        bookings=[
            Booking(
                claim_id=c.pk,
                amount=Decimal("10.00"),
                on=TODAY,
                payer_iban="BE61310126985517",
            )
        ],
    )
    # The debtor pays what the statement says is due (the 10.00 went to costs
    # first, so it is not "1,210.00 − 10.00").
    due = statement_balance(c)
    data = _camt([(str(due), "", "merci", "BE61310126985517")])
    result = bank_statement_import(creditor=creditor, data=data, filename="s.xml")
    assert result.matched == 1
    assert Payment.objects.filter(claim=c).count() == 2


def test_debtor_iban_on_record_and_amount_match(claims_):
    creditor, a, *_ = claims_
    a.debtor.iban = "BE71096123456769"
    a.debtor.save(update_fields=["iban"])
    data = _camt([("1210.00", "", "merci", "BE71096123456769")])
    result = bank_statement_import(creditor=creditor, data=data, filename="s.xml")
    assert result.matched == 1
    assert Payment.objects.get().claim_id == a.pk
    assert "IBAN BE71096123456769" in Payment.objects.get().match_reason


def test_ambiguous_line_is_matched_in_the_queue(claims_):
    creditor, a, _b, c = claims_
    data = _camt([("50.00", "", f"{a.reference} {c.reference}", "")])
    bank_statement_import(creditor=creditor, data=data, filename="s.xml")
    line = BankLine.objects.get()
    assert line.status == BankLine.Status.AMBIGUOUS
    assert bank_line_candidates(line) == sorted([a.pk, c.pk])
    bank_line_match(line=line, claim=c)
    c.refresh_from_db()
    assert c.paid == Decimal("50.00")
    line.refresh_from_db()
    assert line.status == BankLine.Status.MATCHED
    assert line.payment.claim_id == c.pk
    with pytest.raises(Exception, match="déjà"):
        bank_line_match(line=line, claim=a)
    assert not bank_line_ignore(line=line)


CODA_2012 = "oca-l10n-belgium_Ontvangen_CODA.2012-01-11-18.59.15.txt"


def test_the_real_coda_sample_is_imported(claims_, sample):
    creditor, a, *_ = claims_
    # The sample pays in January 2012: its claim was invoiced before that.
    Invoice.objects.filter(claim=a).update(
        issue_date=date(2011, 12, 1), due_date=date(2011, 12, 31)
    )
    # 2011 is before the legal rate tables (2015): an interest clause of the
    # creditor's terms lets the statement run without them.
    Claim.objects.filter(pk=a.pk).update(contract_rate=Decimal("8.00"))
    data = sample("coda", CODA_2012)
    result = bank_statement_import(creditor=creditor, data=data, filename="x.txt")
    assert (result.total, result.matched, len(result.skipped)) == (2, 1, 3)
    assert Payment.objects.get().amount == Decimal("3044.45")
    claim = Claim.objects.get(pk=a.pk)
    assert claim.balance == statement_balance(claim, at=claim.figures_at)
    assert claim.balance < 0  # paid more than the statement: a credit to refund


def test_a_coda_payment_dated_before_the_first_invoice_goes_to_the_queue(
    claims_, sample
):
    creditor, *_ = claims_  # claim a invoiced on 15/01/2026, paid in 2012?
    result = bank_statement_import(
        creditor=creditor, data=sample("coda", CODA_2012), filename="x.txt"
    )
    assert (result.total, result.matched, result.queued) == (2, 0, 2)
    assert not Payment.objects.exists()
    line = BankLine.objects.get(amount=Decimal("3044.45"))
    assert line.status == BankLine.Status.UNMATCHED
    assert "première facture" in line.match_reason
    assert "15/01/2026" in line.match_reason


def test_a_camt_payment_dated_before_the_first_invoice_goes_to_the_queue(claims_):
    creditor, a, *_ = claims_
    Invoice.objects.filter(claim=a).update(
        issue_date=date(2026, 2, 25), due_date=date(2026, 3, 25)
    )
    data = _camt([("100.00", "+++240/2838/42818+++", "", "")])  # paid 20/02/2026
    result = bank_statement_import(
        creditor=creditor, data=data, filename="s.xml", today=TODAY
    )
    assert (result.matched, result.queued) == (0, 1)
    line = BankLine.objects.get()
    assert line.status == BankLine.Status.UNMATCHED
    assert line.claim_id is None
    assert "25/02/2026" in line.match_reason
    assert not Payment.objects.exists()
    # The two-click match applies the same rule: refused, nothing booked.
    with pytest.raises(ValidationError, match="première facture"):
        bank_line_match(line=line, claim=a)
    line.refresh_from_db()
    assert line.status == BankLine.Status.UNMATCHED
    assert not Payment.objects.exists()


def test_a_camt_payment_dated_after_today_goes_to_the_queue(claims_):
    creditor, *_ = claims_
    data = _camt([("100.00", "+++240/2838/42818+++", "", "")])  # paid 20/02/2026
    result = bank_statement_import(
        creditor=creditor, data=data, filename="s.xml", today=date(2026, 2, 10)
    )
    assert (result.matched, result.queued) == (0, 1)
    assert "futur" in BankLine.objects.get().match_reason


@pytest.mark.parametrize("amount", ["1E+15", "999999999999.99"])
def test_a_camt_amount_out_of_bounds_is_reported_not_a_500(claims_, amount):
    creditor, *_ = claims_
    data = _camt([(amount, "+++240/2838/42818+++", "", ""), ("10.00", "", "x", "")])
    result = bank_statement_import(
        creditor=creditor, data=data, filename="s.xml", today=TODAY
    )
    assert not Payment.objects.exists()
    if amount == "1E+15":  # cannot even be queued: reported as skipped
        assert len(result.skipped) == 1
        assert "hors limites" in result.skipped[0][1]
    else:  # kept in the queue with the rule's reason
        line = BankLine.objects.get(amount=Decimal(amount))
        assert line.status == BankLine.Status.UNMATCHED
        assert "trop élevé" in line.match_reason


def test_payment_declared_pauses_the_claim(claims_):
    """The one « I have paid » (the portal's and the back-office's)."""
    _, a, *_ = claims_
    declared = payment_declared(
        claim=a, amount=Decimal("1210.00"), paid_on=TODAY, today=TODAY, note="virement"
    )
    a.refresh_from_db()
    assert a.paused_until == declared.paused_until == date(2026, 3, 6)
    ev = Event.objects.get(claim=a, kind=Event.Kind.PORTAL)
    assert ev.data["declared_payment"] == "1210.00"
    assert ev.data["note"] == "virement"
    # a second declaration within 60 days never pauses again (nor shortens)
    again = payment_declared(
        claim=a, amount=Decimal("1210.00"), paid_on=date(2026, 2, 27), today=TODAY
    )
    assert again.refusal
    assert again.declarations_60_days == 2
    a.refresh_from_db()
    assert a.paused_until == date(2026, 3, 6)


def test_a_declared_payment_follows_the_ledger_rules(claims_):
    _, a, *_ = claims_
    with pytest.raises(ValidationError) as caught:
        payment_declared(claim=a, amount=Decimal("10"), paid_on=date(2026, 3, 9), today=TODAY)
    assert "paid_on" in caught.value.message_dict
    assert not Event.objects.filter(claim=a, kind=Event.Kind.PORTAL).exists()


def test_the_index_loads_in_a_constant_number_of_queries(
    claims_, django_assert_num_queries
):
    from claims.money_in.bank import claim_index_load

    creditor, *_ = claims_
    for _i in range(5):
        f.ClaimFactory(creditor=creditor)
    with django_assert_num_queries(4):
        # claims, invoice numbers, IBANs paid from, IBANs on the debtors' records
        index = claim_index_load(creditor=creditor)
    assert len(index.by_ogm) == 1
    assert len(index.by_reference) == 16  # 8 claim references + 8 invoice numbers


def test_bulk_booking_applies_the_ledger_rules(claims_):
    creditor, a, *_ = claims_
    for booking in (
        Booking(claim_id=a.pk, amount=Decimal("10.00"), on=date(2019, 1, 1)),
        Booking(claim_id=a.pk, amount=Decimal("NaN"), on=TODAY),
        Booking(claim_id=a.pk, amount=Decimal("10.00"), on=date(2026, 3, 2)),
    ):
        with pytest.raises(ValidationError):
            payments_book_bulk(creditor=creditor, bookings=[booking], today=TODAY)
    assert not Payment.objects.exists()
