"""Every table of the claims app, one module per area (Django's ``claims.models``).

Part of the ledger: the engine's, money-in's and security's tables live here
too because Django wants every model of the app in ``claims.models`` (app
label ``claims``). May import: ``claims.ledger.validators``,
``claims.ledger.timeline`` (pure), ``claims.l10n``; never a service.
"""

from .bank import BankImport
from .bank import BankLine
from .bank import ImportJob
from .bank import ImportMapping
from .choices import AllocationOrder
from .choices import Channel
from .choices import ClosedReason
from .choices import Country
from .choices import DebtorKind
from .choices import InvoiceKind
from .choices import Language
from .choices import PaymentMethod
from .choices import Role
from .choices import Stage
from .collection import Action
from .collection import Dispute
from .collection import Instalment
from .collection import JudicialCase
from .collection import JudicialStep
from .collection import LegalContact
from .collection import PaymentPlan
from .collection import PortalToken
from .collection import RouteCost
from .collection import Scenario
from .collection import ScenarioStep
from .collection import SendJournal
from .figures import CreditorFigures
from .figures import FiguresChange
from .ledger import Claim
from .ledger import Event
from .ledger import Invoice
from .ledger import Payment
from .ledger import Waiver
from .parties import Creditor
from .parties import Debtor
from .parties import DebtorContact
from .parties import Invitation
from .parties import Membership
from .rates import Rate

__all__ = [
    "Action",
    "AllocationOrder",
    "BankImport",
    "BankLine",
    "Channel",
    "Claim",
    "ClosedReason",
    "Country",
    "Creditor",
    "CreditorFigures",
    "Debtor",
    "DebtorContact",
    "DebtorKind",
    "Dispute",
    "Event",
    "FiguresChange",
    "ImportJob",
    "ImportMapping",
    "Instalment",
    "Invitation",
    "Invoice",
    "InvoiceKind",
    "JudicialCase",
    "JudicialStep",
    "Language",
    "LegalContact",
    "Membership",
    "Payment",
    "PaymentMethod",
    "PaymentPlan",
    "PortalToken",
    "Rate",
    "Role",
    "RouteCost",
    "Scenario",
    "ScenarioStep",
    "SendJournal",
    "Stage",
    "Waiver",
]

from .api import ApiToken
from .api import WebhookDelivery
from .api import WebhookEndpoint
from .audit import AuditEntry
from .security import TOTPDevice

__all__ += [
    "ApiToken",
    "AuditEntry",
    "TOTPDevice",
    "WebhookDelivery",
    "WebhookEndpoint",
]
