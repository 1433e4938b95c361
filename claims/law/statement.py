"""The statement of account (décompte) of a claim at a date — pure.

One source of truth for letters, dashboard, portal and bailiff file. Walks the
claim's history day-ordered: interest accrues per invoice on its unpaid
principal, fees are charged when the law allows them, each payment is
allocated invoice by invoice, oldest due date first, and within each invoice
costs → interest → principal by default (``claims.law.allocation``);
overpayment becomes a credit; recorded waivers are subtracted at the end.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from functools import partial

from django.utils.translation import get_language
from django.utils.translation import gettext_noop

from claims.l10n import format_amount
from claims.l10n import format_date

from . import fees as f
from .allocation import ORDERS
from .allocation import allocate
from .calendar import claimable_from
from .interest import interest_start
from .interest import rate_periods
from .prescription import prescription_date
from .rates import RateTable
from .types import CENT
from .types import ZERO
from .types import Allocation
from .types import FeeLine
from .types import InterestPeriod
from .types import InvoiceFacts
from .types import InvoiceLine
from .types import PaymentFacts
from .types import Statement
from .types import translated

_YEAR_PCT = Decimal("36500")  # 100 % × 365 days (actual/365, legal-brief §1.3)
_ONE_DAY = timedelta(days=1)
# A rate period of the claim's schedule: first and last day as ordinals, the
# same days as dates, rate (percent a year), rule, fallback flag.
_Rate = tuple[int, int, date, date, Decimal, str, bool]
# Day counts as Decimals, made once: ``x * days`` converts the int every time
# (the same exact value; longer spans are converted on the spot).
_DAYS = tuple(Decimal(n) for n in range(367))


@dataclass(frozen=True)
class WaiverFacts:
    """An explicit renunciation: ``kind`` is "interest" or "costs"; None = all."""

    kind: str
    amount: Decimal | None
    reason: str = ""


@dataclass(frozen=True)
class ClaimFacts:
    """Everything the law needs about one claim, as plain values."""

    country: str  # "BE" | "FR" (the creditor's law)
    debtor_kind: str  # "business" | "consumer"
    invoices: tuple[InvoiceFacts, ...]
    payments: tuple[PaymentFacts, ...] = ()
    waivers: tuple[WaiverFacts, ...] = ()
    currency: str = "EUR"
    is_sme: bool = False
    sme_option: bool = True  # BE B2C: SME counts interest from reminder + 1
    contract_rate: Decimal | None = None
    penalty_clause_percent: Decimal | None = None
    penalty_clause_minimum: Decimal | None = None
    first_reminder_sent_on: date | None = None
    first_reminder_channel: str = ""
    formal_notice_sent_on: date | None = None
    allocation_order: str = "costs_interest_principal"
    fees_allowed: bool = True  # the scenario's step permits charging fees yet
    goods_sold_to_consumer: bool = False
    meta: dict[str, str] = field(default_factory=dict)
    # Costs an enforceable title puts on the debtor (bailiff, court fees), only
    # once a title says so — never amicable fees (legal-brief §3, §7.2, §8).
    judicial_costs: tuple[JudicialCostFacts, ...] = ()


@dataclass(frozen=True)
class JudicialCostFacts:
    on: date
    amount: Decimal
    basis: str


@dataclass
class _Inv:
    facts: InvoiceFacts
    principal: Decimal
    start: date | None  # next day to accrue from
    interest: Decimal = ZERO
    interest_paid: Decimal = ZERO
    principal_paid: Decimal = ZERO
    costs: Decimal = ZERO
    costs_paid: Decimal = ZERO


def compute_statement(facts: ClaimFacts, rates: RateTable, at: date) -> Statement:
    """The money position of the claim described by ``facts`` on ``at``."""
    state = _State(facts, rates, at)
    return state.run()


# For the operators who keep the rate tables (staff); the owner sees the line
# marked "taux provisoire" (claims/web/views/core.py keeps this one for staff).
FALLBACK_WARNING = gettext_noop(
    "Taux non publié pour une période : règle de repli appliquée (voir le détail)."
)
PENALTY_LABEL = gettext_noop("Clause pénale / indemnité forfaitaire")


class _State:
    def __init__(self, facts: ClaimFacts, rates: RateTable, at: date) -> None:
        self.facts, self.rates, self.at = facts, rates, at
        # Texts in the active language, asked once per statement (``_ = self.gettext``
        # in the methods that word lines and warnings).
        self.gettext = partial(translated, get_language())
        real = sorted(
            (i for i in facts.invoices if not i.is_credit_note and i.issue_date <= at),
            key=lambda i: (i.due_date, i.number),
        )
        self.invs = [_Inv(i, i.amount, self._start(i)) for i in real]
        self.periods: list[InterestPeriod] = []
        self.fees: list[FeeLine] = []
        self.allocations: list[Allocation] = []
        self.credit = ZERO
        self.warnings: list[str] = []
        self._sched: list[_Rate] | None = None
        self._sched_starts: list[int] = []
        # Invoice numbers are the allocation's keys: when two invoices share
        # one, payments take the general path (``_pay_by_number``).
        self._numbers_unique = len({i.facts.number for i in self.invs}) == len(
            self.invs
        )

    def _own(self, inv: InvoiceFacts) -> tuple[date | None, str, date | None]:
        """This invoice's first reminder (date, channel) and formal notice.

        Invoice by invoice: a reminder or notice sent before the invoice fell
        due did not demand it, so charges on it wait for its own.
        """
        fx = self.facts
        first, channel = inv.first_reminder_sent_on, inv.first_reminder_channel
        fx_first = fx.first_reminder_sent_on
        if first is None and fx_first is not None and fx_first > inv.due_date:
            first, channel = fx.first_reminder_sent_on, fx.first_reminder_channel
        notice = inv.formal_notice_sent_on
        fx_notice = fx.formal_notice_sent_on
        if notice is None and fx_notice is not None and fx_notice > inv.due_date:
            notice = fx_notice
        return first, channel, notice

    def _start(self, inv: InvoiceFacts) -> date | None:
        fx = self.facts
        first, channel, notice = self._own(inv)
        return interest_start(
            country=fx.country,
            debtor_kind=fx.debtor_kind,
            due_date=inv.due_date,
            is_sme=fx.is_sme,
            sme_option=fx.sme_option,
            has_interest_clause=fx.contract_rate is not None,
            first_reminder_sent_on=first,
            first_reminder_channel=channel,
            formal_notice_sent_on=notice,
            at=self.at,
        )

    def _xix_ready(self, inv: InvoiceFacts) -> date | None:
        first, channel, _notice = self._own(inv)
        return None if first is None else claimable_from(first, channel)

    # -- events ---------------------------------------------------------
    def run(self) -> Statement:
        events: list[tuple[date, int, object]] = []
        for day, kind in self._fee_days():
            events.append((day, 0, kind))
        for inv in self.facts.invoices:
            if inv.is_credit_note and inv.issue_date <= self.at:
                events.append((inv.issue_date, 1, inv))
        for p in self.facts.payments:
            if p.on <= self.at:
                events.append((p.on, 2, p))
        events.sort(key=lambda e: (e[0], e[1]))
        for day, order, payload in events:
            if order == 0:  # a fee does not change the interest base: no split
                self._charge_fees(str(payload), day)
                continue
            self._accrue(day)
            if isinstance(payload, InvoiceFacts):
                self._credit_note(payload)
            elif isinstance(payload, PaymentFacts):
                self._pay(payload)
        self._accrue(self.at)
        return self._build()

    def _fee_days(self) -> list[tuple[date, str]]:
        judicial = [
            (c.on, f"judicial:{n}")
            for n, c in enumerate(self.facts.judicial_costs)
            if c.on <= self.at and self.invs
        ]
        return self._amicable_fee_days() + judicial

    def _amicable_fee_days(self) -> list[tuple[date, str]]:
        fx = self.facts
        if not fx.fees_allowed or not self.invs:
            return []
        if fx.debtor_kind == "business":
            days = [
                (i.facts.due_date + timedelta(days=1), "b2b:" + i.facts.number)
                for i in self.invs
            ]
            if (
                fx.penalty_clause_percent is not None
                or fx.penalty_clause_minimum is not None
            ):
                days.append(
                    (self.invs[0].facts.due_date + timedelta(days=1), "penalty")
                )
            return [(d, k) for d, k in days if d <= self.at]
        if fx.country == "BE":
            has_clause = (
                fx.penalty_clause_percent is not None
                or fx.penalty_clause_minimum is not None
            )
            readies = [r for i in self.invs if (r := self._xix_ready(i.facts))]
            ready = min(readies) if readies else None
            if has_clause and ready is not None and ready <= self.at:
                return [(ready, "xix")]
        return []  # FR B2C: no recovery costs without a title (art. L111-8 CPCE)

    def _schedule(self) -> list[_Rate]:
        """The claim's rate for every day from the first interest day to ``at``.

        Computed once per statement (rates depend on the claim, not the invoice)
        and sliced per invoice and per payment in ``_accrue``; each period as a
        tuple with its days as ordinals, so the loop compares integers.
        """
        if self._sched is None:
            starts = [i.start for i in self.invs if i.start is not None]
            fx = self.facts
            periods = (
                rate_periods(
                    country=fx.country,
                    debtor_kind=fx.debtor_kind,
                    contract_rate=fx.contract_rate,
                    start=min(starts),
                    end=self.at,
                    table=self.rates,
                )
                if starts and min(starts) <= self.at
                else []
            )
            self._sched = [
                (
                    p.start.toordinal(),
                    p.end.toordinal(),
                    p.start,
                    p.end,
                    p.rate,
                    p.rule,
                    p.is_fallback,
                )
                for p in periods
            ]
            self._sched_starts = [p[0] for p in self._sched]
        return self._sched

    def _accrue(self, until: date) -> None:
        """Interest of every invoice from its next day to ``until``, one line per
        rate period: base × rate × days / 36,500, rounded half-up to the cent
        once per line (legal-brief §1.3, design.md §6)."""
        schedule: list[_Rate] | None = None
        append = self.periods.append
        until_ord = until.toordinal()
        for inv in self.invs:
            start = inv.start
            if start is None or start > until:
                continue
            base = inv.principal
            if base > ZERO:
                if schedule is None:
                    schedule = self._schedule()
                start_ord = start.toordinal()
                i = bisect.bisect_right(self._sched_starts, start_ord) - 1
                number = inv.facts.number
                interest = inv.interest
                for p_lo, p_hi, p_start, p_end, rate, rule, fallback in schedule[i:]:
                    if p_lo > until_ord:
                        break
                    if p_lo > start_ord:
                        lo, lo_ord = p_start, p_lo
                    else:
                        lo, lo_ord = start, start_ord
                    if p_hi < until_ord:
                        hi, days = p_end, p_hi - lo_ord + 1
                    else:
                        hi, days = until, until_ord - lo_ord + 1
                    # = line_interest(), inlined: this is the engine's hot loop
                    amount = (
                        base
                        * rate
                        * (_DAYS[days] if 0 <= days < 367 else days)
                        / _YEAR_PCT
                    ).quantize(CENT, ROUND_HALF_UP)
                    interest += amount
                    append(
                        InterestPeriod(
                            number, lo, hi, days, base, rate, amount, rule, fallback
                        )
                    )
                inv.interest = interest
            inv.start = until + _ONE_DAY

    def _charge_fees(self, kind: str, day: date) -> None:
        _ = self.gettext
        fx = self.facts
        if kind.startswith("judicial:"):
            cost = fx.judicial_costs[int(kind[9:])]
            self.invs[0].costs += cost.amount
            self.fees.append(
                FeeLine(
                    _("Frais de justice à charge du débiteur"),
                    cost.amount,
                    cost.basis,
                    self.invs[0].facts.number,
                )
            )
            return
        if kind.startswith("b2b:"):
            number = kind[4:]
            inv = next(i for i in self.invs if i.facts.number == number)
            if inv.principal <= ZERO:
                return  # paid on time: no indemnity
            inv.costs += f.B2B_FIXED_INDEMNITY
            basis = (
                _("Loi du 2 août 2002, art. 6")
                if fx.country == "BE"
                else _("Art. L441-10 II et D441-5 C. com.")
            )
            self.fees.append(
                FeeLine(
                    _("Indemnité forfaitaire de recouvrement"),
                    f.B2B_FIXED_INDEMNITY,
                    basis,
                    number,
                )
            )
            return
        invs = self.invs
        if kind == "xix":  # only the invoices whose own waiting period is over
            invs = [
                i for i in invs if (r := self._xix_ready(i.facts)) and r <= day
            ] or invs
        balance = sum((i.principal for i in invs), ZERO)
        clause = f.penalty_clause_amount(
            balance, fx.penalty_clause_percent, fx.penalty_clause_minimum
        )
        if kind == "xix":
            cap = f.book_xix_cap(balance)
            amount = min(clause, cap)
            basis = _("Art. XIX.4 CDE — plafond %(c)s sur un solde de %(b)s") % {
                "c": format_amount(cap),
                "b": format_amount(balance),
            }
        else:
            amount = clause
            basis = _("Clause pénale (conditions générales du créancier)")
        if amount <= ZERO:
            return
        self.invs[0].costs += amount
        self.fees.append(
            FeeLine(
                _(PENALTY_LABEL),
                amount,
                basis,
                self.invs[0].facts.number,
            )
        )

    def _credit_note(self, note: InvoiceFacts) -> None:
        paid, left = allocate(
            note.amount,
            {"principal": [(i.facts.number, i.principal) for i in self.invs]},
            "principal_first",
        )
        self._apply(paid)
        self.credit += left

    def _pay(self, p: PaymentFacts) -> None:
        """Allocate a payment invoice by invoice, oldest first, and within each
        in the claim's order (``claims.law.allocation``, art. 1254 / 5.207
        C. civ., art. 1342-10 and 1343-1 French C. civ.)."""
        amount = p.amount
        if amount < ZERO:
            self._reverse(p)
            return
        order = ORDERS.get(self.facts.allocation_order)
        if order is None or not self._numbers_unique or not self.invs:
            self._pay_by_number(p)
            return
        # ``allocate()`` walked here directly: the same dues (ZERO + due), the
        # same min(due, remaining) and the same stop, without the key maps.
        remaining = amount
        to_costs = to_interest = to_principal = ZERO
        left = None
        for inv in self.invs:
            for category in order:
                if remaining <= ZERO:
                    left = ZERO
                    break
                if category == "costs":
                    due = ZERO + (inv.costs - inv.costs_paid)
                elif category == "interest":
                    due = ZERO + (inv.interest - inv.interest_paid)
                else:
                    due = ZERO + inv.principal
                part = min(due, remaining)
                if part > ZERO:
                    remaining -= part
                    if category == "costs":
                        inv.costs_paid += part
                        to_costs += part
                    elif category == "interest":
                        inv.interest_paid += part
                        to_interest += part
                    else:
                        inv.principal -= part
                        inv.principal_paid += part
                        to_principal += part
            if left is not None:
                break
        if left is None:
            left = remaining
        self.credit += left
        self.allocations.append(
            Allocation(
                p.on, amount, to_costs, to_interest, to_principal, left, p.reference
            )
        )

    def _pay_by_number(self, p: PaymentFacts) -> None:
        outstanding = {
            "costs": [(i.facts.number, i.costs - i.costs_paid) for i in self.invs],
            "interest": [
                (i.facts.number, i.interest - i.interest_paid) for i in self.invs
            ],
            "principal": [(i.facts.number, i.principal) for i in self.invs],
        }
        paid, left = allocate(p.amount, outstanding, self.facts.allocation_order)
        self._apply(paid)
        self.credit += left
        sums = {
            c: sum((v for (cat, _k), v in paid.items() if cat == c), ZERO)
            for c in ("costs", "interest", "principal")
        }
        self.allocations.append(
            Allocation(
                p.on,
                p.amount,
                sums["costs"],
                sums["interest"],
                sums["principal"],
                left,
                p.reference,
            )
        )

    def _apply(self, paid: dict[tuple[str, str], Decimal]) -> None:
        by_number = {i.facts.number: i for i in self.invs}
        for (cat, key), amount in paid.items():
            inv = by_number[key]
            if cat == "costs":
                inv.costs_paid += amount
            elif cat == "interest":
                inv.interest_paid += amount
            else:
                inv.principal -= amount
                inv.principal_paid += amount

    def _reverse(self, p: PaymentFacts) -> None:
        """A reversal takes back credit first, then principal, interest, costs (newest first)."""
        left = -p.amount
        back = min(self.credit, left)
        self.credit -= back
        left -= back
        to = {"costs": ZERO, "interest": ZERO, "principal": ZERO}
        for inv in reversed(self.invs):
            for cat in ("principal", "interest", "costs"):
                have = {
                    "principal": inv.principal_paid,
                    "interest": inv.interest_paid,
                    "costs": inv.costs_paid,
                }[cat]
                part = min(have, left)
                if part <= ZERO:
                    continue
                left -= part
                to[cat] -= part
                if cat == "principal":
                    inv.principal_paid -= part
                    inv.principal += part
                elif cat == "interest":
                    inv.interest_paid -= part
                else:
                    inv.costs_paid -= part
        self.allocations.append(
            Allocation(
                p.on,
                p.amount,
                to["costs"],
                to["interest"],
                to["principal"],
                -back - left,
                p.reference,
            )
        )
        self.credit -= left  # reversal beyond what was paid: a debit

    # -- result ---------------------------------------------------------
    def _build(self) -> Statement:
        fx = self.facts
        # One pass, each total added from ZERO in invoice order (as sum() did).
        invoiced = interest = interest_due = costs = costs_due = principal_due = ZERO
        for i in self.invs:
            invoiced += i.facts.amount
            interest += i.interest
            interest_due += i.interest - i.interest_paid
            costs += i.costs
            costs_due += i.costs - i.costs_paid
            principal_due += i.principal
        principal = invoiced - sum(
            (
                i.amount
                for i in fx.invoices
                if i.is_credit_note and i.issue_date <= self.at
            ),
            ZERO,
        )
        waived_interest, waived_costs = self._waivers(interest_due, costs_due)
        interest_due -= waived_interest
        costs_due -= waived_costs
        self._warn(principal, interest, costs)
        presc = self._prescription()
        return Statement(
            at=self.at,
            currency=fx.currency,
            invoices=tuple(self._invoice_lines()),
            interest_periods=tuple(self.periods),
            fees=tuple(self.fees),
            allocations=tuple(self.allocations),
            principal=principal,
            principal_due=principal_due,
            interest=interest,
            interest_due=interest_due,
            costs=costs,
            costs_due=costs_due,
            paid=sum((p.amount for p in fx.payments if p.on <= self.at), ZERO),
            waived=waived_interest + waived_costs,
            credit=self.credit,
            total_due=principal_due + interest_due + costs_due,
            warnings=tuple(self.warnings),
            prescription_on=presc[0] if presc else None,
            prescription_rule=presc[1] if presc else "",
        )

    def _prescription(self) -> tuple[date, str] | None:
        """The earliest prescription date of the unpaid invoices, and a warning
        for each one already time-barred (legal-brief §3.5, §8.5)."""
        _ = self.gettext
        fx = self.facts
        found: list[tuple[date, str]] = []
        for i in self.invs:
            if i.principal <= ZERO:
                continue
            on, rule = prescription_date(
                country=fx.country,
                debtor_kind=fx.debtor_kind,
                due_date=i.facts.due_date,
                delivery_date=i.facts.delivery_date,
                goods_sold_to_consumer=fx.goods_sold_to_consumer,
            )
            found.append((on, rule))
            if self.at >= on:
                self.warnings.append(
                    _(
                        "PRESCRIT : facture %(n)s prescrite depuis le %(d)s (%(r)s) ; "
                        "le débiteur peut opposer la prescription, une action en "
                        "justice serait rejetée."
                    )
                    % {"n": i.facts.number, "d": format_date(on), "r": rule}
                )
        return min(found) if found else None

    def _invoice_lines(self) -> list[InvoiceLine]:
        lines = [
            InvoiceLine(
                i.facts.number,
                i.facts.issue_date,
                i.facts.due_date,
                i.facts.amount,
                i.principal_paid,
                i.principal,
                False,
                i.facts.description,
            )
            for i in self.invs
        ]
        lines += [
            InvoiceLine(
                c.number,
                c.issue_date,
                c.due_date,
                c.amount,
                ZERO,
                ZERO,
                True,
                c.description,
            )
            for c in self.facts.invoices
            if c.is_credit_note
        ]
        return lines

    def _waivers(
        self, interest_due: Decimal, costs_due: Decimal
    ) -> tuple[Decimal, Decimal]:
        wi = wc = ZERO
        for w in self.facts.waivers:
            if w.kind == "interest":
                wi += (
                    interest_due - wi
                    if w.amount is None
                    else min(w.amount, interest_due - wi)
                )
            else:
                wc += (
                    costs_due - wc
                    if w.amount is None
                    else min(w.amount, costs_due - wc)
                )
        return wi, wc

    def _warn(self, principal: Decimal, interest: Decimal, costs: Decimal) -> None:
        _ = self.gettext
        fx = self.facts
        if any(p.rate_is_fallback for p in self.periods):
            self.warnings.append(_(FALLBACK_WARNING))
        penalty = sum(
            (x.amount for x in self.fees if x.label == _(PENALTY_LABEL)), ZERO
        )
        if (
            fx.country == "BE"
            and fx.debtor_kind == "business"
            and penalty
            and f.exceeds_uncontested_cap(principal, interest, penalty)
        ):
            self.warnings.append(
                _(
                    # xgettext:no-python-format
                    "Intérêts + clause pénale dépassent 10 % du principal : plafond de "
                    "la procédure de recouvrement de dettes non contestées "
                    "(art. 1394/20 C.J.)."
                )
            )
        if fx.debtor_kind == "consumer" and fx.country == "BE":
            self._warn_be_consumer()
        if fx.debtor_kind == "consumer" and fx.country == "FR":
            if fx.formal_notice_sent_on is None:
                self.warnings.append(
                    _(
                        "Pas de mise en demeure : ni intérêts ni dommages et intérêts "
                        "(intérêts au taux légal à compter de la mise en demeure, "
                        "art. 1344-1 et 1231-6 C. civ.)."
                    )
                )
            if (
                fx.penalty_clause_percent is not None
                or fx.penalty_clause_minimum is not None
            ):
                self.warnings.append(
                    _(
                        "Clause pénale non comptée : pas de frais de recouvrement à "
                        "charge d'un consommateur sans titre exécutoire (art. L111-8 "
                        "CPCE) ; le juge peut la modérer (art. 1231-5 C. civ.)."
                    )
                )

    def _warn_be_consumer(self) -> None:
        """Why a Belgian consumer owes no interest or indemnity yet (art. XIX.2-XIX.4 CDE)."""
        _ = self.gettext
        fx = self.facts
        if fx.first_reminder_sent_on is None:
            self.warnings.append(
                _(
                    "Premier rappel gratuit non envoyé : ni intérêts ni indemnité "
                    "(art. XIX.2 CDE)."
                )
            )
            return
        ready = claimable_from(fx.first_reminder_sent_on, fx.first_reminder_channel)
        if self.at < ready:
            self.warnings.append(
                _(
                    "Délai de 14 jours après le premier rappel en cours : ni intérêts "
                    "ni indemnité avant le %(d)s (art. XIX.2 CDE)."
                )
                % {"d": format_date(ready)}
            )
        if fx.penalty_clause_percent is None and fx.penalty_clause_minimum is None:
            self.warnings.append(
                _(
                    "Pas de clause d'indemnité dans le contrat : aucune indemnité "
                    "forfaitaire (art. XIX.4 CDE)."
                )
            )
        if fx.contract_rate is None:
            self.warnings.append(
                _(
                    "Pas de clause d'intérêts : taux d'intérêt légal appliqué après le "
                    "délai de 14 jours (⚠️ l'art. XIX.4 CDE ne vise que l'intérêt "
                    "convenu ; à faire valider, legal-brief §1.6 et §2.4)."
                )
            )
        if fx.is_sme and fx.sme_option and fx.contract_rate is None:
            self.warnings.append(
                _(
                    "Option PME (intérêts dès le lendemain du rappel) non appliquée : "
                    "aucune clause d'intérêts dans le contrat (art. XIX.2 CDE)."
                )
            )
