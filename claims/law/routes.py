"""The route advisor: which way to collect next, and why (pure, no ORM, no clock).

Every condition cites legal-brief sections; amounts of costs come from the
editable ``RouteCost`` table (passed in as ``RouteCostFacts``), never from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
ZERO = Decimal("0.00")
BE_ORDER_TO_PAY_JP_MAX = Decimal("1860")  # art. 1338 CJ, legal-brief §3.2 ✅
BE_JUGE_DE_PAIX_MAX = Decimal("5000")  # art. 590 CJ, legal-brief §3.3 ✅
FR_SMALL_CLAIMS_MAX = Decimal("5000")  # art. R125-1 CPCE, legal-brief §8.1 ✅
EU_SMALL_CLAIMS_MAX = Decimal("5000")  # Reg. 861/2007, legal-brief §9 ✅

AMICABLE = "amicable"
BE_UNCONTESTED = "be_uncontested_b2b"
BE_ORDER_TO_PAY = "be_order_to_pay"
BE_SUMMONS_JP = "be_summons_jp"
BE_SUMMONS_ENTERPRISE = "be_summons_enterprise"
FR_SMALL_CLAIMS = "fr_small_claims"
FR_INJONCTION = "fr_injonction"
FR_REFERE = "fr_refere_provision"
EU_PAYMENT_ORDER = "eu_payment_order"
EU_SMALL_CLAIMS = "eu_small_claims"
WRITE_OFF = "write_off"


@dataclass(frozen=True)
class RouteFacts:
    creditor_country: str
    debtor_country: str
    debtor_kind: str  # "business" | "consumer"
    balance: Decimal
    oldest_due_date: date
    creditor_has_enterprise_number: bool = True
    debtor_has_enterprise_number: bool = False
    contested: bool = False
    has_debtor_writing: bool = False
    debtor_consents: bool | None = None  # None = not asked yet
    amicable_exhausted: bool = False
    debtor_insolvent: bool = False
    performance_date: date | None = None  # delivery / completion (FR B2C start)


@dataclass(frozen=True)
class RouteCostFacts:
    route: str
    label: str
    amount: Decimal
    recoverable: bool
    source: str = ""


@dataclass(frozen=True)
class Condition:
    text: str
    met: bool | None  # None = to be checked by the user


@dataclass
class RouteOption:
    route: str
    title: str
    conditions: list[Condition]
    duration_days: tuple[int, int]
    costs: list[RouteCostFacts] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    prescription_on: date | None = None
    recommended: bool = False

    @property
    def eligible(self) -> bool:
        return all(c.met is not False for c in self.conditions)

    @property
    def cost_estimated(self) -> Decimal:
        return sum((c.amount for c in self.costs), ZERO)

    @property
    def cost_recoverable(self) -> Decimal:
        return sum((c.amount for c in self.costs if c.recoverable), ZERO)

    @property
    def cost_borne(self) -> Decimal:
        return self.cost_estimated - self.cost_recoverable


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def prescription_date(
    *,
    country: str,
    debtor_kind: str,
    due_date: date,
    performance_date: date | None = None,
) -> date:
    """Last day to act before the claim is time-barred (shortest period that may apply).

    BE business: 10 years (art. 2262bis old C. civ., legal-brief §3.5);
    BE consumer: 1 year for goods sold to private persons (art. 2272, §3.5 — the
    short period is assumed, the safe side); FR business: 5 years (L110-4 C. com.,
    §8.5); FR consumer: 2 years from performance (L218-2 C. conso., §8.5).
    Interruptions (acknowledgment, service, summons) are not taken into account.
    """
    if country == "FR":
        if debtor_kind == "consumer":
            return _add_years(performance_date or due_date, 2)
        return _add_years(due_date, 5)
    if debtor_kind == "consumer":
        return _add_years(performance_date or due_date, 1)
    return _add_years(due_date, 10)


def advise(
    facts: RouteFacts, costs: Sequence[RouteCostFacts], today: date
) -> list[RouteOption]:
    """All routes with their conditions, best first (eligible, then net recovery)."""
    options = [
        _amicable(facts),
        _be_uncontested(facts),
        _be_order_to_pay(facts),
        _be_summons(facts),
        _fr_small_claims(facts),
        _fr_injonction(facts),
        _fr_refere(facts),
        _eu_payment_order(facts),
        _eu_small_claims(facts),
    ]
    limit = prescription_date(
        country=facts.creditor_country,
        debtor_kind=facts.debtor_kind,
        due_date=facts.oldest_due_date,
        performance_date=facts.performance_date,
    )
    for opt in options:
        opt.costs = [c for c in costs if c.route == opt.route]
        opt.prescription_on = limit
    options.append(_write_off(facts, options, limit, today))
    options.sort(key=lambda o: _rank(o, facts))
    if options and options[0].eligible:
        options[0].recommended = True
    return options


def _rank(opt: RouteOption, facts: RouteFacts) -> tuple[int, Decimal, int]:
    if opt.route == WRITE_OFF:
        return (0 if opt.eligible else 2, -facts.balance, 0)
    if opt.route == AMICABLE and opt.eligible:
        return (0, -facts.balance - 1, 0)
    net = facts.balance - opt.cost_borne
    return (0 if opt.eligible else 1, -net, opt.duration_days[1])


def _amicable(f: RouteFacts) -> RouteOption:
    return RouteOption(
        AMICABLE,
        _("Poursuivre les relances amiables"),
        [
            Condition(
                _("Les relances prévues ne sont pas épuisées"), not f.amicable_exhausted
            ),
            Condition(
                _("Le débiteur n'est pas en insolvabilité"), not f.debtor_insolvent
            ),
        ],
        (15, 30),
        reasons=[_("Gratuit et rapide tant que le débiteur réagit.")],
    )


def _be_uncontested(f: RouteFacts) -> RouteOption:
    # legal-brief §3.1: arts. 1394/20–1394/27 CJ, B2B only, uncontested, 1 month + 8 days.
    return RouteOption(
        BE_UNCONTESTED,
        _("Recouvrement de dettes non contestées par huissier (art. 1394/20 C.J.)"),
        [
            Condition(_("Débiteur établi en Belgique"), f.debtor_country == "BE"),
            Condition(
                _("Créancier et débiteur ont un numéro d'entreprise (BCE)"),
                f.creditor_has_enterprise_number
                and f.debtor_has_enterprise_number
                and f.debtor_kind == "business",
            ),
            Condition(_("Créance non contestée"), not f.contested),
            Condition(
                _("Débiteur pas en faillite ni en réorganisation"),
                not f.debtor_insolvent,
            ),
        ],
        (39, 60),
        reasons=[
            _("Titre exécutoire sans procès : un mois pour réagir + 8 jours."),
            _("Intérêts et clause pénale limités ensemble à 10 % du principal."),
        ],
    )


def _be_order_to_pay(f: RouteFacts) -> RouteOption:
    # legal-brief §3.2: art. 1338 CJ, writing from the debtor; ≤ 1 860 € before
    # the juge de paix, no ceiling before the tribunal de l'entreprise (B2B).
    b2b = f.debtor_kind == "business"
    return RouteOption(
        BE_ORDER_TO_PAY,
        _("Procédure sommaire d'injonction de payer (art. 1338 C.J.)"),
        [
            Condition(_("Débiteur domicilié en Belgique"), f.debtor_country == "BE"),
            Condition(
                _("Écrit émanant du débiteur (bon de commande signé, contrat…)"),
                f.has_debtor_writing,
            ),
            Condition(
                _("Montant ≤ 1 860 EUR (juge de paix) ou litige entre entreprises"),
                b2b or f.balance <= BE_ORDER_TO_PAY_JP_MAX,
            ),
            Condition(_("Créance non contestée"), not f.contested),
        ],
        (45, 90),
        reasons=[
            _(
                "Sommation préalable de 15 jours, puis requête d'avocat ; le juge statue sur pièces."
            )
        ],
    )


def _be_summons(f: RouteFacts) -> RouteOption:
    # legal-brief §3.3: juge de paix ≤ 5 000 €; tribunal de l'entreprise between enterprises.
    small = f.balance <= BE_JUGE_DE_PAIX_MAX
    route = (
        BE_SUMMONS_JP if small or f.debtor_kind == "consumer" else BE_SUMMONS_ENTERPRISE
    )
    title = (
        _("Citation devant le juge de paix")
        if route == BE_SUMMONS_JP
        else _("Citation devant le tribunal de l'entreprise")
    )
    conds = [Condition(_("Débiteur établi en Belgique"), f.debtor_country == "BE")]
    if route == BE_SUMMONS_JP:
        conds.append(Condition(_("Montant ≤ 5 000 EUR"), small))
    return RouteOption(
        route,
        title,
        conds,
        (120, 365),
        reasons=[
            _(
                "Voie ordinaire, même si la créance est contestée ; plus longue et plus chère."
            )
        ],
    )


def _fr_small_claims(f: RouteFacts) -> RouteOption:
    # legal-brief §8.1: L125-1 CPCE, ≤ 5 000 €, debtor consent, costs on the creditor.
    return RouteOption(
        FR_SMALL_CLAIMS,
        _(
            "Procédure simplifiée de recouvrement des petites créances (commissaire de justice)"
        ),
        [
            Condition(_("Débiteur établi en France"), f.debtor_country == "FR"),
            Condition(
                _("Montant ≤ 5 000 EUR (principal et intérêts)"),
                f.balance <= FR_SMALL_CLAIMS_MAX,
            ),
            Condition(
                _("Accord du débiteur (un mois pour accepter)"), f.debtor_consents
            ),
        ],
        (30, 60),
        reasons=[
            _(
                "Titre exécutoire rapide si le débiteur coopère ; tous les frais restent à charge du créancier."
            )
        ],
    )


def _fr_injonction(f: RouteFacts) -> RouteOption:
    # legal-brief §8.2: arts. 1405–1425 CPC, debtor's domicile in France.
    court = (
        _("tribunal de commerce")
        if f.debtor_kind == "business"
        else _("tribunal judiciaire")
    )
    return RouteOption(
        FR_INJONCTION,
        _("Injonction de payer (%s)") % court,
        [
            Condition(_("Débiteur domicilié en France"), f.debtor_country == "FR"),
            Condition(_("Créance contractuelle d'un montant déterminé"), True),
        ],
        (60, 120),
        reasons=[
            _(
                "Sans audience ni tentative amiable préalable ; ordonnance à signifier dans les 6 mois, opposition possible pendant un mois."
            ),
        ],
    )


def _fr_refere(f: RouteFacts) -> RouteOption:
    # legal-brief §8.3: arts. 835 / 873 CPC, obligation not seriously contestable.
    return RouteOption(
        FR_REFERE,
        _("Référé-provision"),
        [
            Condition(_("Débiteur établi en France"), f.debtor_country == "FR"),
            Condition(_("Obligation non sérieusement contestable"), not f.contested),
        ],
        (30, 90),
        reasons=[
            _("Audience contradictoire rapide ; décision provisoire mais exécutoire.")
        ],
    )


def _cross_border(f: RouteFacts) -> bool:
    return (
        f.debtor_country != f.creditor_country
        and f.debtor_country in EU
        and f.creditor_country in EU
    )


def _eu_payment_order(f: RouteFacts) -> RouteOption:
    # legal-brief §9: Reg. 1896/2006, cross-border, uncontested, no amount limit.
    return RouteOption(
        EU_PAYMENT_ORDER,
        _("Injonction de payer européenne (règlement 1896/2006)"),
        [
            Condition(
                _("Débiteur dans un autre État de l'UE (hors Danemark)"),
                _cross_border(f) and f.debtor_country != "DK",
            ),
            Condition(_("Créance non contestée"), not f.contested),
        ],
        (60, 120),
        reasons=[
            _(
                "Formulaire A ; opposition dans les 30 jours ; exécutoire dans toute l'UE sans exequatur."
            )
        ],
    )


def _eu_small_claims(f: RouteFacts) -> RouteOption:
    # legal-brief §9: Reg. 861/2007, cross-border, ≤ 5 000 €, may be disputed.
    return RouteOption(
        EU_SMALL_CLAIMS,
        _("Règlement européen des petits litiges (règlement 861/2007)"),
        [
            Condition(
                _("Débiteur dans un autre État de l'UE (hors Danemark)"),
                _cross_border(f) and f.debtor_country != "DK",
            ),
            Condition(
                _("Montant ≤ 5 000 EUR hors intérêts et frais"),
                f.balance <= EU_SMALL_CLAIMS_MAX,
            ),
        ],
        (90, 180),
        reasons=[_("Procédure écrite sans avocat, même si la créance est contestée.")],
    )


def _write_off(
    f: RouteFacts, options: list[RouteOption], limit: date, today: date
) -> RouteOption:
    judicial = [o for o in options if o.route != AMICABLE and o.eligible]
    cheapest = min((o.cost_borne for o in judicial), default=None)
    too_costly = cheapest is None or cheapest >= f.balance
    reasons = []
    if cheapest is None:
        reasons.append(_("Aucune procédure judiciaire n'est ouverte pour ce dossier."))
    elif too_costly:
        reasons.append(
            _("Les frais non récupérables (%(c)s EUR) dépassent le solde (%(b)s EUR).")
            % {"c": cheapest, "b": f.balance}
        )
    if limit < today:
        reasons.append(
            _("La créance est probablement prescrite depuis le %s.")
            % limit.strftime("%d/%m/%Y")
        )
    return RouteOption(
        WRITE_OFF,
        _("Passer en perte"),
        [
            Condition(
                _(
                    "Les frais dépassent ce qui peut être récupéré, ou la créance est prescrite"
                ),
                too_costly or limit < today or f.debtor_insolvent,
            )
        ],
        (0, 0),
        reasons=reasons,
        prescription_on=limit,
    )
