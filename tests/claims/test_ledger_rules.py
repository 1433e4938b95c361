"""Money and date rules of the ledger (claims.ledger.rules), pure and through the
services: refused with a French message and a code, nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from claims.ledger import rules
from claims.ledger.services import InvoiceData
from claims.ledger.services import claim_open
from claims.ledger.services import invoice_add
from claims.ledger.services import payment_record
from claims.ledger.services import waiver_record
from claims.models import Claim
from claims.models import Event
from claims.models import Invoice
from claims.models import InvoiceKind
from claims.models import Payment
from claims.models import Waiver
from tests import factories as f

TODAY = dt.date(2026, 11, 28)


def _codes(exc: pytest.ExceptionInfo) -> set[str]:
    err = exc.value
    if hasattr(err, "error_dict"):
        return {e.code for errs in err.error_dict.values() for e in errs}
    return {e.code for e in err.error_list}


# ---------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("NaN", "amount_not_finite"),
        ("Infinity", "amount_not_finite"),
        ("-Infinity", "amount_not_finite"),
        ("sNaN", "amount_not_finite"),
        ("1E+15", "amount_too_large"),
        ("10000000000.00", "amount_too_large"),
        ("0.00", "amount_not_positive"),
        ("-1", "amount_not_positive"),
        ("0.004", "amount_decimals"),
        ("12.345", "amount_decimals"),
        ("douze", "amount_invalid"),
        ("", "amount_invalid"),
        (1.5, "amount_invalid"),
    ],
)
def test_the_amount_rule_refuses_with_a_code_and_a_message(raw, code):
    with pytest.raises(ValidationError) as exc:
        rules.money_amount(raw)
    assert _codes(exc) == {code}
    assert exc.value.messages[0]  # a sentence, not a traceback


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.01", Decimal("0.01")),
        ("12.5", Decimal("12.50")),
        ("12.500", Decimal("12.50")),
        (Decimal("9999999999.99"), Decimal("9999999999.99")),
        (780, Decimal("780.00")),
    ],
)
def test_the_amount_rule_returns_cents(raw, expected):
    got = rules.money_amount(raw)
    assert got == expected
    assert got.as_tuple().exponent == -2


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.decimals(allow_nan=True, allow_infinity=True), st.text(max_size=20))
)
def test_the_amount_rule_either_returns_cents_or_refuses(raw):
    try:
        got = rules.money_amount(raw)
    except ValidationError as exc:
        messages = exc.messages
        assert messages
        return
    assert got.is_finite()
    assert got > 0
    assert got == got.quantize(Decimal("0.01"))
    assert got <= rules.MAX_AMOUNT


# ---------------------------------------------------------------- dates


def test_an_invoice_dated_next_year_is_refused():
    with pytest.raises(ValidationError) as exc:
        rules.invoice_dates(
            issue_date=dt.date(2027, 1, 5), due_date=dt.date(2027, 2, 5), today=TODAY
        )
    assert _codes(exc) == {"invoice_in_future"}
    assert "futur" in exc.value.message_dict["issue_date"][0]


def test_a_due_date_before_the_invoice_date_is_refused():
    with pytest.raises(ValidationError) as exc:
        rules.invoice_dates(
            issue_date=dt.date(2026, 5, 5), due_date=dt.date(2026, 5, 4), today=TODAY
        )
    assert _codes(exc) == {"due_before_issue"}


def test_an_invoice_of_today_due_today_is_accepted():
    rules.invoice_dates(issue_date=TODAY, due_date=TODAY, today=TODAY)


@pytest.mark.parametrize(
    ("on", "code"),
    [
        (dt.date(2026, 11, 29), "payment_in_future"),
        (dt.date(2019, 6, 1), "payment_before_invoice"),
    ],
)
def test_a_payment_date_outside_the_claim_is_refused(on, code):
    with pytest.raises(ValidationError) as exc:
        rules.payment_date(on=on, today=TODAY, first_invoice_date=dt.date(2026, 1, 15))
    assert _codes(exc) == {code}


def test_the_creditors_today_follows_its_time_zone(monkeypatch):
    from django.utils import timezone

    late = dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late)
    brussels = f.CreditorFactory.build(time_zone="Europe/Brussels")
    assert rules.creditor_today(brussels) == dt.date(2026, 11, 29)
    honolulu = f.CreditorFactory.build(time_zone="Pacific/Honolulu")
    assert rules.creditor_today(honolulu) == dt.date(2026, 11, 28)


# ---------------------------------------------------------------- services


def _invoice(**kw):
    data = {
        "number": "F-2026-001",
        "issue_date": dt.date(2026, 1, 15),
        "due_date": dt.date(2026, 2, 14),
        "amount": Decimal("780.00"),
    }
    return InvoiceData(**(data | kw))


def test_a_credit_note_of_5000_on_a_780_claim_is_refused_and_nothing_written(db):
    claim = f.ClaimFactory(invoices=[{"amount": Decimal("780.00")}])
    before = (Invoice.objects.count(), Event.objects.count())
    with pytest.raises(ValidationError) as exc:
        invoice_add(
            claim=claim,
            data=_invoice(
                number="NC-1", kind=InvoiceKind.CREDIT_NOTE, amount=Decimal("5000.00")
            ),
        )
    assert _codes(exc) == {"credit_note_too_large"}
    assert "780.00" in exc.value.message_dict["amount"][0]
    assert (Invoice.objects.count(), Event.objects.count()) == before
    claim.refresh_from_db()
    assert claim.principal == Decimal("780.00")


def test_credit_notes_add_up_to_at_most_what_remains_invoiced(db):
    claim = f.ClaimFactory(invoices=[{"amount": Decimal("780.00")}])
    nc = _invoice(number="NC-1", kind=InvoiceKind.CREDIT_NOTE, amount=Decimal("500.00"))
    invoice_add(claim=claim, data=nc)
    with pytest.raises(ValidationError, match=r"280\.00"):
        invoice_add(
            claim=claim,
            data=_invoice(
                number="NC-2", kind=InvoiceKind.CREDIT_NOTE, amount=Decimal("280.01")
            ),
        )
    invoice_add(
        claim=claim,
        data=_invoice(
            number="NC-3", kind=InvoiceKind.CREDIT_NOTE, amount=Decimal("280.00")
        ),
    )
    claim.refresh_from_db()
    assert claim.principal == Decimal("0.00")


def test_a_credit_note_is_capped_by_the_invoice_it_credits(db):
    claim = f.ClaimFactory(
        invoices=[{"amount": Decimal("100.00")}, {"amount": Decimal("900.00")}]
    )
    small = claim.invoices.get(amount=Decimal("100.00"))
    with pytest.raises(ValidationError) as exc:
        invoice_add(
            claim=claim,
            data=_invoice(
                number="NC-1",
                kind=InvoiceKind.CREDIT_NOTE,
                amount=Decimal("150.00"),
                credited_invoice_id=small.pk,
            ),
        )
    assert small.number in exc.value.message_dict["amount"][0]
    note = invoice_add(
        claim=claim,
        data=_invoice(
            number="NC-2",
            kind=InvoiceKind.CREDIT_NOTE,
            amount=Decimal("100.00"),
            credited_invoice_id=small.pk,
        ),
    )
    assert note.credited_invoice_id == small.pk


def test_claim_open_refuses_an_invoice_dated_next_year(db):
    creditor = f.CreditorFactory()
    debtor = f.DebtorFactory(creditor=creditor)
    next_year = rules.creditor_today(creditor).replace(day=1) + dt.timedelta(days=370)
    with pytest.raises(ValidationError) as exc:
        claim_open(
            creditor=creditor,
            debtor=debtor,
            invoices=[_invoice(issue_date=next_year, due_date=next_year)],
        )
    assert _codes(exc) == {"invoice_in_future"}
    assert not Claim.objects.exists()
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "1E+15", "0.00", "0.004"])
def test_claim_open_refuses_nonsense_amounts(db, amount):
    creditor = f.CreditorFactory()
    debtor = f.DebtorFactory(creditor=creditor)
    with pytest.raises(ValidationError) as exc:
        claim_open(
            creditor=creditor,
            debtor=debtor,
            invoices=[_invoice(amount=Decimal(amount))],
        )
    assert "amount" in exc.value.message_dict
    assert not Claim.objects.exists()


def test_payment_record_refuses_a_payment_years_before_the_invoice(db):
    claim = f.ClaimFactory()  # invoice of 15/01/2026
    with pytest.raises(ValidationError) as exc:
        payment_record(claim=claim, amount=Decimal("10.00"), on=dt.date(2021, 3, 1))
    assert _codes(exc) == {"payment_before_invoice"}
    assert "15/01/2026" in exc.value.message_dict["on"][0]
    assert not Payment.objects.exists()


def test_payment_record_refuses_a_payment_in_the_future(db):
    claim = f.ClaimFactory()
    tomorrow = rules.creditor_today(claim.creditor) + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        payment_record(claim=claim, amount=Decimal("10.00"), on=tomorrow)
    assert _codes(exc) == {"payment_in_future"}
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "1E+15", "0.004"])
def test_payment_record_refuses_nonsense_amounts(db, amount):
    claim = f.ClaimFactory()
    with pytest.raises(ValidationError):
        payment_record(claim=claim, amount=Decimal(amount), on=dt.date(2026, 3, 1))
    assert not Payment.objects.exists()


def test_waiver_record_refuses_nonsense_amounts(db):
    claim = f.ClaimFactory()
    with pytest.raises(ValidationError):
        waiver_record(claim=claim, kind="interest", amount=Decimal("NaN"), reason="x")
    assert not Waiver.objects.exists()
