"""Money and date rules of the ledger, checked once for every way in.

The services (``claims.ledger.services``: claim_open, invoice_add, payment_record,
waiver_record, the reversals), the bank and invoice importers and the debtor
portal call these functions; forms and importers turn the ``ValidationError``
into a field error or a refused row with its reason. Each rule raises a
``ValidationError`` with a French, translatable message and a ``code`` so a
caller can tell the rules apart. No database access here except in
:func:`creditor_today` (one attribute read) — the figures a rule needs
("what remains invoiced", "the first invoice date") are arguments.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

#: Money columns are ``DecimalField(max_digits=12, decimal_places=2)``.
MAX_DIGITS = 12
DECIMALS = 2
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10 ** (MAX_DIGITS - DECIMALS)) - CENT  # 9 999 999 999.99


def creditor_today(creditor: Any | None = None) -> date:
    """Today in the creditor's time zone (design.md §6), else the site's."""
    tz_name = getattr(creditor, "time_zone", "") or ""
    if tz_name:
        try:
            return timezone.now().astimezone(ZoneInfo(tz_name)).date()
        except (KeyError, ValueError):
            pass
    return timezone.localdate()


def _d(value: date) -> str:
    return date_format(value, "d/m/Y")


def money_amount(value: Any) -> Decimal:
    """A positive, finite amount of at most 12 digits and 2 decimals, as a Decimal.

    Accepts a ``Decimal``, an ``int`` or a string (``"12.50"``); refuses floats
    (binary money), NaN, infinities, exponents that overflow the column,
    zero, negatives and fractions of a cent. Returns the amount quantized to
    the cent.
    """
    if isinstance(value, (bool, float)):
        raise ValidationError(
            _("Montant invalide : %(v)s."), code="amount_invalid", params={"v": value}
        )
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(
            _("Montant invalide : %(v)s."), code="amount_invalid", params={"v": value}
        ) from None
    if not amount.is_finite():
        raise ValidationError(
            _("Montant invalide : %(v)s (un nombre fini est attendu)."),
            code="amount_not_finite",
            params={"v": value},
        )
    if amount <= 0:
        raise ValidationError(
            _("Le montant doit être positif (reçu : %(v)s)."),
            code="amount_not_positive",
            params={"v": value},
        )
    if amount > MAX_AMOUNT:
        raise ValidationError(
            _("Le montant %(v)s est trop élevé (maximum %(max)s)."),
            code="amount_too_large",
            params={"v": value, "max": f"{MAX_AMOUNT:,.2f}".replace(",", " ")},
        )
    if amount != amount.quantize(CENT):
        raise ValidationError(
            _("Le montant %(v)s a plus de deux décimales : arrondissez au cent."),
            code="amount_decimals",
            params={"v": value},
        )
    return amount.quantize(CENT)


def invoice_dates(
    *, issue_date: date, due_date: date, today: date, field_prefix: str = ""
) -> None:
    """An invoice (or credit note) is not dated in the future and falls due on or
    after its date. ``today`` is the creditor's (see :func:`creditor_today`)."""
    errors: dict[str, list[ValidationError]] = {}
    if issue_date > today:
        errors[f"{field_prefix}issue_date"] = [
            ValidationError(
                _(
                    "La date de facture (%(d)s) est dans le futur : "
                    "une facture ne peut être datée après aujourd'hui (%(t)s)."
                ),
                code="invoice_in_future",
                params={"d": _d(issue_date), "t": _d(today)},
            )
        ]
    if due_date < issue_date:
        errors[f"{field_prefix}due_date"] = [
            ValidationError(
                _(
                    "L'échéance (%(due)s) ne peut pas précéder la date de facture (%(d)s)."
                ),
                code="due_before_issue",
                params={"due": _d(due_date), "d": _d(issue_date)},
            )
        ]
    if errors:
        raise ValidationError(errors)


def payment_date(
    *, on: date, today: date, first_invoice_date: date | None, field: str = "on"
) -> None:
    """A payment is not dated in the future nor before the claim's first invoice."""
    if on > today:
        raise ValidationError(
            {
                field: ValidationError(
                    _(
                        "Un paiement ne peut pas être daté dans le futur "
                        "(%(d)s, aujourd'hui : %(t)s)."
                    ),
                    code="payment_in_future",
                    params={"d": _d(on), "t": _d(today)},
                )
            }
        )
    if first_invoice_date is not None and on < first_invoice_date:
        raise ValidationError(
            {
                field: ValidationError(
                    _(
                        "Un paiement daté du %(d)s précède la première facture de la "
                        "créance (%(f)s) : vérifiez la date."
                    ),
                    code="payment_before_invoice",
                    params={"d": _d(on), "f": _d(first_invoice_date)},
                )
            }
        )


def credit_note_amount(
    *, amount: Decimal, remaining: Decimal, on_invoice: str = "", field: str = "amount"
) -> None:
    """A credit note credits at most what remains invoiced (on the claim, or on
    the invoice ``on_invoice`` it credits)."""
    if amount <= remaining:
        return
    if on_invoice:
        message = _(
            "La note de crédit (%(a)s) dépasse ce qui reste facturé sur la facture "
            "%(n)s (%(r)s)."
        )
    else:
        message = _(
            "La note de crédit (%(a)s) dépasse ce qui reste facturé sur la créance "
            "(%(r)s)."
        )
    raise ValidationError(
        {
            field: ValidationError(
                message,
                code="credit_note_too_large",
                params={
                    "a": f"{amount:.2f}",
                    "r": f"{max(remaining, Decimal('0.00')):.2f}",
                    "n": on_invoice,
                },
            )
        }
    )


def reason_required(reason: str) -> str:
    """A correction (reversal) always says why."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError(
            _("Indiquez le motif de l'annulation."), code="reason_required"
        )
    return text


def on_field(field: str, exc: ValidationError) -> ValidationError:
    """``exc`` attached to ``field`` (unless it already names its fields)."""
    if hasattr(exc, "error_dict"):
        return exc
    return ValidationError({field: exc.error_list})


def plain(exc: ValidationError) -> ValidationError:
    """``exc`` without its field names (for a form's ``clean_<field>``)."""
    if hasattr(exc, "error_dict"):
        return ValidationError([e for errs in exc.error_dict.values() for e in errs])
    return exc


def messages_of(exc: ValidationError) -> list[str]:
    """The plain messages of ``exc`` (field errors flattened), for a refused row."""
    return [str(m) for m in exc.messages]
