"""What a letter says: the context handed to the templates (pure, no I/O).

Amounts come only from the claim's :class:`claims.law.types.Statement`.
Legal mentions follow the legal brief, §11 checklists (a) and (b).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.law.calendar import is_electronic
from claims.law.calendar import message_deadline
from claims.law.calendar import waiting_period_start
from claims.law.courts import COMMERCIAL
from claims.law.courts import ECONOMIC
from claims.law.courts import fr_competent_court
from claims.law.types import Statement
from claims.ledger.statements import amount_to_pay
from letters.overrides import override_fill
from letters.payment import epc_qr_png_data_uri
from letters.payment import payment_reference
from letters.payment import payment_request_payload
from letters.templatetags.letters_tags import format_money

CENT = Decimal("0.01")

# Step kinds a letter can be rendered for, and the template that renders them.
PDF_TEMPLATES = {
    "pre_due": "letters/pdf/reminder.html",
    "first_reminder": "letters/pdf/reminder.html",
    "reminder": "letters/pdf/reminder.html",
    "formal_notice": "letters/pdf/formal_notice.html",
    "bailiff_cover": "letters/pdf/bailiff_cover.html",
}


@dataclass(frozen=True)
class Parties:
    """The facts about creditor and debtor a letter needs (plain values)."""

    creditor_name: str
    creditor_legal_form: str
    creditor_address: tuple[str, ...]
    creditor_country: str
    creditor_enterprise_number: str
    creditor_vat: str
    creditor_email: str
    creditor_phone: str
    creditor_iban: str
    creditor_bic: str
    creditor_city: str
    debtor_name: str
    debtor_address: tuple[str, ...]
    debtor_country: str
    debtor_kind: str  # "business" | "consumer"
    debtor_enterprise_number: str
    claim_reference: str
    payment_reference: str  # OGM (BE) or RF/claim reference (FR)
    creditor_legal_name: str = ""  # the registered name (EPC QR beneficiary)
    creditor_trade_name: str = ""
    creditor_register_city: str = ""  # RPM/RPR seat (BE) or RCS city (FR)
    creditor_share_capital: Decimal | None = None
    creditor_postal_code: str = ""
    debtor_postal_code: str = ""
    debtor_city: str = ""
    # The creditor's contract, as the statement applies it.
    contract_rate: Decimal | None = None
    has_penalty_clause: bool = False


def be_consumer_indemnity_cap(balance: Decimal) -> Decimal:
    """Maximum lump-sum indemnity for a Belgian consumer (CDE art. XIX.4).

    Legal brief §2.4/§12: 20 € up to 150 €; 30 € + 10 % of the part above
    150 € up to 500 €; 65 € + 5 % of the part above 500 €, at most 2 000 €.
    (Mirrors the claims.law fee rules; kept here for the first-reminder mention.)
    """
    if balance <= Decimal("150"):
        cap = Decimal("20")
    elif balance <= Decimal("500"):
        cap = Decimal("30") + Decimal("0.10") * (balance - Decimal("150"))
    else:
        cap = min(
            Decimal("65") + Decimal("0.05") * (balance - Decimal("500")),
            Decimal("2000"),
        )
    return cap.quantize(CENT, rounding=ROUND_HALF_UP)


def payment_deadline(
    *,
    kind: str,
    sent_on: date,
    country: str,
    debtor_kind: str,
    channel: str,
    deadline_days: int,
) -> date:
    """Last day to pay, inclusive.

    The one rule of ``claims.law.calendar.message_deadline`` (the engine
    holds the next step until the day after): BE consumer first reminder →
    the last day of the 14-day period (CDE art. XIX.2, legal brief §2.2);
    otherwise ``deadline_days`` after the letter; both moved to the next
    working day of the creditor's country.
    """
    return message_deadline(
        sent_on,
        deadline_days,
        country,
        kind=kind,
        debtor_kind=debtor_kind,
        channel=channel,
    )


def letter_context(
    *,
    kind: str,
    parties: Parties,
    statement: Statement,
    at: date,
    language: str,
    channel: str = "email",
    deadline_days: int = 15,
    intro: str = "",
    payable: Statement | None = None,
    after: Statement | None = None,
) -> dict[str, Any]:
    """The full template context of one letter.

    ``statement``: the claim on ``at``. ``payable``: what the message asks
    to pay by its deadline (``claims.ledger.statements.message_statement``, interest
    to the deadline included) — the amount printed and in the QR code.
    ``after``: the same the day after the deadline, for what a Belgian
    consumer's first reminder announces (art. XIX.2 CDE).
    """
    deadline = payment_deadline(
        kind=kind,
        sent_on=at,
        country=parties.creditor_country,
        debtor_kind=parties.debtor_kind,
        channel=channel,
        deadline_days=deadline_days,
    )
    payable = payable or statement
    is_be = parties.creditor_country == "BE"
    is_consumer = parties.debtor_kind == "consumer"
    reference = payment_reference(
        country=parties.creditor_country,
        structured_reference=parties.payment_reference,
        claim_reference=parties.claim_reference,
    )
    qr_payload = payment_request_payload(
        statement=payable,
        name=beneficiary_name(parties),
        iban=parties.creditor_iban,
        bic=parties.creditor_bic,
        reference=reference,
        claim_reference=parties.claim_reference,
    )
    to_pay = amount_to_pay(payable)
    context: dict[str, Any] = {
        "kind": kind,
        "p": parties,
        "s": statement,
        "payable": payable,
        "at": at,
        "language": language,
        "channel": channel,
        "channel_line": channel_line(kind, channel),
        "deadline": deadline,
        "is_be": is_be,
        "is_consumer": is_consumer,
        "payment_reference": reference,
        "amount_to_pay": to_pay,
        "amount_today": amount_to_pay(statement),
        "interest_to_deadline": max(payable.interest - statement.interest, ZERO),
        "interest_per_day": interest_per_day(payable),
        "qr_payload": qr_payload,
        # A PNG, not an SVG: the PDF embeds it once as an image instead of
        # drawing every module as a vector path (a fifth of a letter's render).
        # Drawn when a template first asks for it (the PDF's payment block),
        # once: an e-mail, which shows no QR code, never pays for it.
        "qr_image": functools.cache(
            functools.partial(epc_qr_png_data_uri, qr_payload, scale=4)
        )
        if qr_payload
        else "",
        "be_consumer_cap": be_consumer_indemnity_cap(statement.principal_due),
        "interest_basis": interest_basis(parties),
        "interest_rules": [interest_basis(parties)],
        "fee_groups": fee_groups(statement),
        "identity": creditor_identity(parties),
        "creditor_display": name_with_form(
            parties.creditor_legal_name or parties.creditor_name,
            parties.creditor_legal_form,
        ),
        "court": court_wording(parties, at) if not is_be else "",
        "fr_interest_from": fr_consumer_interest_from(payable)
        if not is_be and is_consumer and kind == "formal_notice"
        else None,
        "intro": override_fill(
            intro,
            total=to_pay,
            currency=statement.currency,
            deadline=deadline,
            reference=parties.claim_reference,
            creditor=parties.creditor_name,
            debtor=parties.debtor_name,
            language=language,
        )
        if intro
        else "",
    }
    if is_be and is_consumer and kind == "first_reminder":
        context["xix"] = first_reminder_terms(
            sent_on=at, channel=channel, deadline=deadline, after=after
        )
    return context


ZERO = Decimal("0.00")


def beneficiary_name(parties: Parties) -> str:
    """The EPC QR beneficiary: the legal name, as the bank account holds it
    (payee-name checks, Regulation (EU) 2024/886)."""
    return (parties.creditor_legal_name or parties.creditor_name)[:70]


def name_with_form(name: str, form: str) -> str:
    """``Boulangerie Dumont SRL`` — the legal form once, never "SRL SRL"."""
    if not form:
        return name
    words = name.upper().replace(",", " ").split()
    if form.upper() in words or form.upper().replace(".", "") in words:
        return name
    return f"{name} {form}"


def group_iban(iban: str) -> str:
    """``BE68 5390 0754 7034``: groups of four (EPC paper format)."""
    compact = iban.replace(" ", "").upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


# Company forms with no share capital to print (sole traders).
_NO_CAPITAL_FORMS = {"", "EI", "EIRL", "ME", "ENTREPRISE INDIVIDUELLE"}


def creditor_identity(parties: Parties) -> list[tuple[str, str]]:
    """The creditor's identity block, ``(label, value)`` lines in the active
    language (legal brief §11; BE: art. III.25 CDE — enterprise number and
    RPM/RPR seat; FR: art. R123-237 C. com. — SIREN, RCS city, share capital)."""
    lines: list[tuple[str, str]] = []
    legal = parties.creditor_legal_name or parties.creditor_name
    name = name_with_form(legal, parties.creditor_legal_form)
    trade = parties.creditor_trade_name
    if trade and trade != legal:
        name = f"{name} — {trade}"
    lines.append(("", name))
    lines.append(("", ", ".join(parties.creditor_address)))
    number = parties.creditor_enterprise_number
    if parties.creditor_country == "BE":
        value = number
        if parties.creditor_register_city:
            # RPM (fr), RPR (nl): the register of legal persons of the seat's court.
            register = _("RPM")
            value = f"{number} — {register} {parties.creditor_register_city}"
        lines.append((str(_("Numéro d'entreprise")), value))
    else:
        digits = "".join(ch for ch in number if ch.isdigit())
        siren = digits[:9]
        if siren:
            lines.append(("SIREN", f"{siren[:3]} {siren[3:6]} {siren[6:9]}"))
        if len(digits) == 14:
            lines.append(
                ("SIRET", f"{siren[:3]} {siren[3:6]} {siren[6:9]} {digits[9:]}")
            )
        if parties.creditor_register_city and siren:
            lines.append(
                (
                    "RCS",
                    f"{parties.creditor_register_city} {siren[:3]} {siren[3:6]} {siren[6:9]}",
                )
            )
    if (
        parties.creditor_share_capital is not None
        and parties.creditor_legal_form.upper() not in _NO_CAPITAL_FORMS
    ):
        lines.append(
            (str(_("Capital social")), format_money(parties.creditor_share_capital))
        )
    if parties.creditor_vat:
        lines.append((str(_("TVA")), parties.creditor_vat))
    lines.append(("IBAN", group_iban(parties.creditor_iban)))
    if parties.creditor_bic:
        lines.append(("BIC", parties.creditor_bic))
    contact = " · ".join(
        x for x in (parties.creditor_email, parties.creditor_phone) if x
    )
    if contact:
        lines.append((str(_("Contact")), contact))
    return lines


def channel_line(kind: str, channel: str) -> str:
    """How the message goes, as the action sends it (never "recommandé" for
    a message that is not registered)."""
    if channel == "registered":
        return str(_("Par envoi recommandé et par e-mail"))
    if channel == "email_post":
        return str(_("Par e-mail et par courrier ordinaire"))
    if channel == "post":
        return str(_("Par courrier ordinaire"))
    return str(_("Par e-mail"))


def interest_basis(parties: Parties) -> str:
    """The legal basis of the interest, in the active language — the rule of
    ``claims.law.interest.rate_periods`` for the claim's contract."""
    contract = parties.contract_rate is not None
    if parties.creditor_country == "BE":
        if parties.debtor_kind == "business":
            if contract:
                return str(_("Taux convenu (loi du 2 août 2002, art. 5)"))
            return str(
                _("Taux de la loi du 2 août 2002 (art. 5), publié pour chaque semestre")
            )
        if contract:
            return str(
                _(
                    "Taux convenu, au plus le taux de la loi du 2 août 2002 (art. XIX.4 du Code de droit économique)"
                )
            )
        return str(_("Taux d'intérêt légal (loi du 5 mai 1865)"))
    if parties.debtor_kind == "business":
        if contract:
            return str(
                _(
                    "Taux convenu, au moins trois fois le taux d'intérêt légal (art. L441-10 II du Code de commerce)"
                )
            )
        return str(
            _(
                "Taux de refinancement de la Banque centrale européenne majoré de 10 points (art. L441-10 II du Code de commerce)"
            )
        )
    if contract:
        return str(_("Taux convenu (art. 1231-5 du Code civil)"))
    return str(
        _(
            "Taux d'intérêt légal (art. L313-2 du Code monétaire et financier ; art. 1231-6 du Code civil)"
        )
    )


def interest_per_day(statement: Statement) -> Decimal:
    """Interest accruing per day after the statement's date: base × rate /
    365 on each invoice's last period (actual/365, legal brief §1.3)."""
    daily = sum(
        (
            p.base * p.rate / Decimal("36500")
            for p in statement.interest_periods
            if p.end == statement.at
        ),
        Decimal("0"),
    )
    return daily.quantize(CENT, rounding=ROUND_HALF_UP)


def fr_consumer_interest_from(statement: Statement) -> date | None:
    """First day of interest the statement counts after a French consumer's
    formal notice (art. 1344-1 and 1231-6 C. civ.): the letter prints it."""
    starts = [p.start for p in statement.interest_periods]
    return min(starts) if starts else None


def court_wording(parties: Parties, at: date) -> str:
    """The court a French letter names for the debtor's seat (claims.law.courts)."""
    court = fr_competent_court(
        debtor_kind=parties.debtor_kind,
        city=parties.debtor_city,
        postal_code=parties.debtor_postal_code,
        on=at,
    )
    if court.kind == ECONOMIC:
        return str(
            _("le tribunal des activités économiques de %(seat)s")
            % {"seat": court.seat}
        )
    if court.kind == COMMERCIAL:
        return str(_("le tribunal de commerce du lieu de votre siège"))
    return str(_("le tribunal judiciaire du lieu de votre domicile"))


def first_reminder_terms(
    *, sent_on: date, channel: str, deadline: date, after: Statement | None
) -> dict[str, Any]:
    """What a Belgian consumer's free first reminder must say (art. XIX.2
    CDE, legal brief §2.3): the 14-day period and when it starts, and what
    will be claimed after it — only what the statement charges the day
    after the deadline (the creditor's clause, capped by art. XIX.4)."""
    start = waiting_period_start(sent_on, channel)
    terms: dict[str, Any] = {
        "start": start,
        "electronic": is_electronic(channel),
        "indemnity": ZERO,
        "rate": None,
        "interest_from": None,
    }
    if after is not None:
        terms["indemnity"] = sum((fee.amount for fee in after.fees), ZERO)
        if after.interest_periods:
            last = max(after.interest_periods, key=lambda p: p.end)
            terms["rate"] = last.rate
            terms["interest_from"] = min(p.start for p in after.interest_periods)
    return terms


# The statement's fee labels and legal bases (claims.law.statement), worded
# for the debtor in the active language.
_FEE_LABELS = {
    "Indemnité forfaitaire de recouvrement": gettext_lazy(
        "Indemnité forfaitaire de recouvrement"
    ),
    "Clause pénale / indemnité forfaitaire": gettext_lazy(
        "Clause pénale / indemnité forfaitaire"
    ),
    "Frais de justice à charge du débiteur": gettext_lazy(
        "Frais de justice à charge du débiteur"
    ),
}
_FEE_BASES = {
    "Loi du 2 août 2002, art. 6": gettext_lazy("Loi du 2 août 2002, art. 6"),
    "Art. L441-10 II et D441-5 C. com.": gettext_lazy(
        "Art. L441-10 II et D441-5 du Code de commerce"
    ),
    "Clause pénale (conditions générales du créancier)": gettext_lazy(
        "Clause pénale (nos conditions générales)"
    ),
}
_XIX_BASIS = re.compile(
    r"^Art\. XIX\.4 CDE — plafond ([\d.]+) € sur un solde de ([\d.]+) €$"
)
_TITLE_BASIS = re.compile(r"^Titre exécutoire du (\d\d/\d\d/\d{4})$")


def fee_wording(label: str, basis: str) -> tuple[str, str]:
    """A fee's label and legal basis in the active language."""
    shown_label = str(_FEE_LABELS.get(label, label))
    if basis in _FEE_BASES:
        return shown_label, str(_FEE_BASES[basis])
    if m := _XIX_BASIS.match(basis):
        return shown_label, str(
            _(
                "Art. XIX.4 du Code de droit économique — plafond de %(cap)s sur un solde de %(balance)s"
            )
            % {
                "cap": format_money(Decimal(m[1])),
                "balance": format_money(Decimal(m[2])),
            }
        )
    if m := _TITLE_BASIS.match(basis):
        return shown_label, str(_("Titre exécutoire du %(date)s") % {"date": m[1]})
    return shown_label, basis


def fee_groups(statement: Statement) -> list[dict[str, Any]]:
    """Fees with the same label and legal basis shown on one line (e.g. 40 € × 8)."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for fee in statement.fees:
        key = (fee.label, fee.legal_basis)
        label, basis = fee_wording(fee.label, fee.legal_basis)
        group = groups.setdefault(
            key,
            {
                "label": label,
                "legal_basis": basis,
                "invoice": fee.invoice,
                "count": 0,
                "amount": Decimal("0.00"),
            },
        )
        group["count"] += 1
        group["amount"] += fee.amount
    return list(groups.values())
