"""The route advisor: which way to collect next, and why (pure, no ORM, no clock).

Every condition cites legal-brief sections; amounts of costs come from the
editable ``RouteCost`` table (passed in as ``RouteCostFacts``), never from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from .prescription import prescription_date

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
BE_SUMMONS_FIRST_INSTANCE = "be_summons_first_instance"
FR_SMALL_CLAIMS = "fr_small_claims"
FR_INJONCTION = "fr_injonction"
FR_REFERE = "fr_refere_provision"
EU_PAYMENT_ORDER = "eu_payment_order"
EU_SMALL_CLAIMS = "eu_small_claims"
WRITE_OFF = "write_off"
JUDICIAL_ROUTES = (
    BE_UNCONTESTED,
    BE_ORDER_TO_PAY,
    BE_SUMMONS_JP,
    BE_SUMMONS_ENTERPRISE,
    BE_SUMMONS_FIRST_INSTANCE,
    FR_SMALL_CLAIMS,
    FR_INJONCTION,
    FR_REFERE,
    EU_PAYMENT_ORDER,
    EU_SMALL_CLAIMS,
)
# Learned figures are shown (and rank the routes) from this many closed cases on.
MIN_CASES = 5


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
    # The statement's prescription date (``Statement.prescription_on``): the
    # one date the claim page, the letters and the hand-off file show.
    prescription_on: date | None = None


@dataclass(frozen=True)
class RouteCostFacts:
    route: str
    label: str
    amount: Decimal
    recoverable: bool
    source: str = ""

    @property
    def estimated(self) -> bool:
        """An unsourced figure (legal-brief §13.5 ⚠️): shown flagged."""
        return "⚠" in self.source or not self.source


@dataclass(frozen=True)
class RouteOutcome:
    """What a route (or an amicable stage) brought this creditor, measured."""

    route: str
    cases: int
    paid: int
    median_days: float | None
    costs: Decimal
    claimed: Decimal
    collected: Decimal

    @property
    def paid_share(self) -> Decimal:
        return (
            (Decimal(self.paid) / self.cases * 100).quantize(Decimal("1"))
            if self.cases
            else ZERO
        )

    @property
    def net_per_100(self) -> Decimal:
        """Net recovered (collected − costs) per 100 EUR claimed."""
        if not self.claimed:
            return ZERO
        return ((self.collected - self.costs) * 100 / self.claimed).quantize(
            Decimal("0.01")
        )

    @property
    def enough(self) -> bool:
        return self.cases >= MIN_CASES


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
    court: str = ""  # the court / officer named in the formal notice
    all_costs_borne: bool = False  # FR small claims: nothing is recoverable (§8.1)
    balance: Decimal = ZERO
    outcome: RouteOutcome | None = None

    @property
    def eligible(self) -> bool:
        return all(c.met is not False for c in self.conditions)

    @property
    def to_check(self) -> bool:
        return any(c.met is None for c in self.conditions)

    @property
    def cost_estimated(self) -> Decimal:
        """Costs the creditor advances."""
        return sum((c.amount for c in self.costs), ZERO)

    @property
    def cost_recoverable(self) -> Decimal:
        if self.all_costs_borne:
            return ZERO
        return sum((c.amount for c in self.costs if c.recoverable), ZERO)

    @property
    def cost_borne(self) -> Decimal:
        return self.cost_estimated - self.cost_recoverable

    @property
    def costs_estimated(self) -> bool:
        """At least one cost is an unsourced estimate (⚠️)."""
        return any(c.estimated for c in self.costs)

    @property
    def net_expected(self) -> Decimal:
        """What the owner can expect: the balance minus the costs nobody repays."""
        return max(self.balance - self.cost_borne, ZERO)

    @property
    def learned(self) -> bool:
        return self.outcome is not None and self.outcome.enough

    @property
    def net_learned(self) -> Decimal | None:
        """Net expected from this creditor's own history (≥ MIN_CASES cases)."""
        if self.outcome is None or not self.outcome.enough:
            return None
        return (self.balance * self.outcome.net_per_100 / 100).quantize(Decimal("0.01"))


def advise(
    facts: RouteFacts,
    costs: Sequence[RouteCostFacts],
    today: date,
    outcomes: Mapping[str, RouteOutcome] | None = None,
) -> list[RouteOption]:
    """The routes open to this creditor and debtor, best first.

    Only procedures that apply are proposed (legal-brief §3, §8, §9): the
    debtor's country decides the national procedures (a Belgian court for a
    debtor in Belgium, a French one for a debtor in France — the courts of the
    debtor's domicile, §8.2), a debtor in another EU state gets the European
    procedures (§9), the business/consumer split and the amount ceilings rule
    out the rest. Each proposed route keeps its conditions in words (met, not
    met, to check). ``outcomes`` (route → this creditor's measured results)
    rank the routes once a route has ``MIN_CASES`` closed cases.
    """
    builders = [
        _be_uncontested,
        _be_order_to_pay,
        _be_summons,
        _fr_small_claims,
        _fr_injonction,
        _fr_refere,
        _eu_payment_order,
        _eu_small_claims,
    ]
    options = [_amicable(facts)] + [
        o for o in (b(facts) for b in builders) if o is not None
    ]
    limit = (
        facts.prescription_on
        or (
            prescription_date(
                country=facts.creditor_country,
                debtor_kind=facts.debtor_kind,
                due_date=facts.oldest_due_date,
                delivery_date=facts.performance_date,
            )[0]
        )
    )
    outcomes = outcomes or {}
    rate = recovery_rate(outcomes.values())
    for opt in options:
        opt.costs = [c for c in costs if c.route == opt.route]
        opt.prescription_on = limit
        opt.balance = facts.balance
        opt.outcome = outcomes.get(opt.route)
    options.append(_write_off(facts, options, limit, today))
    options.sort(key=lambda o: _rank(o, facts, rate))
    if options and options[0].eligible:
        options[0].recommended = True
    return options


def recovery_rate(outcomes: Iterable[RouteOutcome]) -> Decimal | None:
    """Share of the amount claimed the creditor's judicial routes collected.

    A route measured on ``MIN_CASES`` cases is ranked by its own figures
    (which include its failures); a route without them would otherwise be
    ranked on the optimistic estimate (everything collected). Its estimate is
    discounted by this average so that the two compare fairly.
    """
    done = [o for o in outcomes if o.cases]
    claimed = sum((o.claimed for o in done), ZERO)
    if sum(o.cases for o in done) < MIN_CASES or not claimed:
        return None
    return min(sum((o.collected for o in done), ZERO) / claimed, Decimal(1))


def _rank(
    opt: RouteOption, facts: RouteFacts, rate: Decimal | None = None
) -> tuple[int, int, Decimal, int]:
    if opt.route == WRITE_OFF:
        return (0 if opt.eligible else 2, 0, -facts.balance, 0)
    if opt.route == AMICABLE and opt.eligible:
        return (0, 0, -facts.balance - 1, 0)
    learned = opt.net_learned
    if learned is not None:
        net = learned
    elif rate is not None:
        net = facts.balance * rate - opt.cost_borne
    else:
        net = facts.balance - opt.cost_borne
    # Conditions all met before conditions still to check, then net, then speed.
    return (0 if opt.eligible else 1, int(opt.to_check), -net, opt.duration_days[1])


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


def _writing(f: RouteFacts) -> Condition:
    # A writing emanating from the debtor (§3.2): "to check" until recorded.
    return Condition(
        _("Écrit émanant du débiteur (bon de commande signé, contrat…)"),
        True if f.has_debtor_writing else None,
    )


def _be_uncontested(f: RouteFacts) -> RouteOption | None:
    # legal-brief §3.1: arts. 1394/20–1394/27 CJ — B2B only (⚠️ never a consumer),
    # uncontested, debtor in Belgium; one month to react + 8 days.
    if f.debtor_country != "BE" or f.debtor_kind != "business" or f.contested:
        return None
    return RouteOption(
        BE_UNCONTESTED,
        _("Recouvrement de dettes non contestées par huissier (art. 1394/20 C.J.)"),
        [
            Condition(
                _("Créancier inscrit à la BCE (numéro d'entreprise)"),
                True if f.creditor_has_enterprise_number else None,
            ),
            Condition(
                _("Débiteur inscrit à la BCE (numéro d'entreprise)"),
                True if f.debtor_has_enterprise_number else None,
            ),
            Condition(_("Créance non contestée"), True),
            Condition(
                _("Débiteur pas en faillite ni en réorganisation"),
                not f.debtor_insolvent,
            ),
        ],
        (39, 60),
        reasons=[
            _("Titre exécutoire sans procès : un mois pour réagir + 8 jours."),
            # xgettext:no-python-format
            _("Intérêts et clause pénale limités ensemble à 10 % du principal."),
            _("Seul un avocat peut l'introduire (filtre), puis il mandate l'huissier."),
        ],
        court=_(
            "Huissier de justice ; procès-verbal de non-contestation rendu "
            "exécutoire par un magistrat (art. 1394/25 C.J.)"
        ),
    )


def _be_order_to_pay(f: RouteFacts) -> RouteOption | None:
    # legal-brief §3.2: art. 1338 CJ, debtor in Belgium, writing from the debtor;
    # ≤ 1 860 € before the juge de paix, no ceiling before the tribunal de
    # l'entreprise between enterprises. Uncontested claims only.
    b2b = f.debtor_kind == "business"
    if f.debtor_country != "BE" or f.contested:
        return None
    if not b2b and f.balance > BE_ORDER_TO_PAY_JP_MAX:
        return None
    small = f.balance <= BE_ORDER_TO_PAY_JP_MAX
    if not b2b:
        court = _("Juge de paix du domicile du débiteur")
    elif small:
        court = _(
            "Juge de paix (≤ 1 860 EUR) ou tribunal de l'entreprise du siège du débiteur"
        )
    else:
        court = _("Tribunal de l'entreprise du siège du débiteur")
    return RouteOption(
        BE_ORDER_TO_PAY,
        _("Procédure sommaire d'injonction de payer (art. 1338 C.J.)"),
        [
            Condition(_("Débiteur domicilié en Belgique"), True),
            _writing(f),
            Condition(
                _("Montant ≤ 1 860 EUR (juge de paix) ou litige entre entreprises"),
                True,
            ),
            Condition(_("Créance non contestée"), True),
        ],
        (45, 90),
        reasons=[
            _(
                "Sommation préalable de 15 jours, puis requête d'avocat ; le juge statue sur pièces."
            )
        ],
        court=court,
    )


def _be_summons(f: RouteFacts) -> RouteOption | None:
    # legal-brief §3.3: juge de paix ≤ 5 000 € (art. 590 CJ); tribunal de
    # l'entreprise between enterprises above; a consumer above 5 000 €: the
    # tribunal de première instance (⚠️ general rule, to be checked).
    if f.debtor_country != "BE":
        return None
    small = f.balance <= BE_JUGE_DE_PAIX_MAX
    if small:
        route, title = BE_SUMMONS_JP, _("Citation devant le juge de paix")
        court = _("Juge de paix du domicile du débiteur")
        conds = [Condition(_("Montant ≤ 5 000 EUR"), True)]
    elif f.debtor_kind == "business":
        route = BE_SUMMONS_ENTERPRISE
        title = _("Citation devant le tribunal de l'entreprise")
        court = _("Tribunal de l'entreprise du siège du débiteur")
        conds = [Condition(_("Litige entre entreprises (> 5 000 EUR)"), True)]
    else:
        route = BE_SUMMONS_FIRST_INSTANCE
        title = _("Citation devant le tribunal de première instance")
        court = _("Tribunal de première instance du domicile du débiteur")
        conds = [
            Condition(
                _("Consommateur, > 5 000 EUR : compétence à confirmer par l'avocat"),
                None,
            )
        ]
    return RouteOption(
        route,
        title,
        [Condition(_("Débiteur établi en Belgique"), True), *conds],
        (120, 365),
        reasons=[
            _(
                "Voie ordinaire, même si la créance est contestée ; plus longue et plus chère."
            )
        ],
        court=court,
    )


def _fr_small_claims(f: RouteFacts) -> RouteOption | None:
    # legal-brief §8.1: L125-1 CPCE, ≤ 5 000 € (principal + interest), debtor in
    # France, debtor consent, all costs on the creditor.
    if f.debtor_country != "FR" or f.balance > FR_SMALL_CLAIMS_MAX:
        return None
    return RouteOption(
        FR_SMALL_CLAIMS,
        _(
            "Procédure simplifiée de recouvrement des petites créances (commissaire de justice)"
        ),
        [
            Condition(_("Débiteur établi en France"), True),
            Condition(_("Montant ≤ 5 000 EUR (principal et intérêts)"), True),
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
        court=_(
            "Commissaire de justice du ressort de la cour d'appel du domicile du débiteur"
        ),
        all_costs_borne=True,
    )


def _fr_injonction(f: RouteFacts) -> RouteOption | None:
    # legal-brief §8.2: arts. 1405–1425 CPC, debtor's domicile in France (public
    # policy); tribunal de commerce for a trader, otherwise tribunal judiciaire.
    if f.debtor_country != "FR":
        return None
    court = (
        _("tribunal de commerce")
        if f.debtor_kind == "business"
        else _("tribunal judiciaire")
    )
    return RouteOption(
        FR_INJONCTION,
        _("Injonction de payer (%s)") % court,
        [
            Condition(_("Débiteur domicilié en France"), True),
            Condition(_("Créance contractuelle d'un montant déterminé"), True),
            Condition(
                _("Créance non contestée (sinon opposition probable)"),
                None if f.contested else True,
            ),
        ],
        (60, 120),
        reasons=[
            _(
                "Sans audience ni tentative amiable préalable ; ordonnance à signifier dans les 6 mois, opposition possible pendant un mois."
            ),
        ],
        court=_("Président du %s du domicile du débiteur") % court,
    )


def _fr_refere(f: RouteFacts) -> RouteOption | None:
    # legal-brief §8.3: arts. 835 / 873 CPC, obligation not seriously contestable.
    if f.debtor_country != "FR":
        return None
    court = (
        _("tribunal de commerce")
        if f.debtor_kind == "business"
        else _("tribunal judiciaire")
    )
    return RouteOption(
        FR_REFERE,
        _("Référé-provision"),
        [
            Condition(_("Débiteur établi en France"), True),
            Condition(
                _("Obligation non sérieusement contestable"),
                None if f.contested else True,
            ),
        ],
        (30, 90),
        reasons=[
            _("Audience contradictoire rapide ; décision provisoire mais exécutoire.")
        ],
        court=_("Juge des référés du %s du domicile du débiteur") % court,
    )


def _cross_border(f: RouteFacts) -> bool:
    # legal-brief §9: the debtor in another Member State (Denmark excluded).
    return (
        f.debtor_country != f.creditor_country
        and f.debtor_country in EU
        and f.creditor_country in EU
        and "DK" not in (f.debtor_country, f.creditor_country)
    )


def _eu_payment_order(f: RouteFacts) -> RouteOption | None:
    # legal-brief §9: Reg. 1896/2006, cross-border, uncontested, no amount limit.
    if not _cross_border(f) or f.contested:
        return None
    return RouteOption(
        EU_PAYMENT_ORDER,
        _("Injonction de payer européenne (règlement 1896/2006)"),
        [
            Condition(_("Débiteur dans un autre État de l'UE (hors Danemark)"), True),
            Condition(_("Créance non contestée"), True),
        ],
        (60, 120),
        reasons=[
            _(
                "Formulaire A ; opposition dans les 30 jours ; exécutoire dans toute l'UE sans exequatur."
            )
        ],
        court=_("Juridiction compétente de l'État du débiteur (formulaire A)"),
    )


def _eu_small_claims(f: RouteFacts) -> RouteOption | None:
    # legal-brief §9: Reg. 861/2007, cross-border, ≤ 5 000 € excl. interest and
    # costs, may be disputed.
    if not _cross_border(f) or f.balance > EU_SMALL_CLAIMS_MAX:
        return None
    return RouteOption(
        EU_SMALL_CLAIMS,
        _("Règlement européen des petits litiges (règlement 861/2007)"),
        [
            Condition(_("Débiteur dans un autre État de l'UE (hors Danemark)"), True),
            Condition(_("Montant ≤ 5 000 EUR hors intérêts et frais"), True),
        ],
        (90, 180),
        reasons=[_("Procédure écrite sans avocat, même si la créance est contestée.")],
        court=_("Juridiction compétente de l'État du débiteur (formulaire A)"),
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
    if today >= limit:  # the day itself counts as barred (Statement.time_barred)
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
                too_costly or today >= limit or f.debtor_insolvent,
            )
        ],
        (0, 0),
        reasons=reasons,
        prescription_on=limit,
    )


def route_label(route: str) -> str:
    """A route's name for the track and the outcome figures."""
    labels = {
        AMICABLE: _("Relances amiables"),
        BE_UNCONTESTED: _("Dettes non contestées (huissier, art. 1394/20 C.J.)"),
        BE_ORDER_TO_PAY: _("Injonction de payer belge (art. 1338 C.J.)"),
        BE_SUMMONS_JP: _("Citation devant le juge de paix"),
        BE_SUMMONS_ENTERPRISE: _("Citation devant le tribunal de l'entreprise"),
        BE_SUMMONS_FIRST_INSTANCE: _(
            "Citation devant le tribunal de première instance"
        ),
        FR_SMALL_CLAIMS: _("Petites créances (commissaire de justice)"),
        FR_INJONCTION: _("Injonction de payer (France)"),
        FR_REFERE: _("Référé-provision"),
        EU_PAYMENT_ORDER: _("Injonction de payer européenne"),
        EU_SMALL_CLAIMS: _("Petits litiges européens"),
        WRITE_OFF: _("Passer en perte"),
    }
    return labels.get(route, route)
