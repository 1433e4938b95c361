"""Models of the claims domain, one module per area."""

from .bank import BankImport
from .bank import BankLine
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
    "Debtor",
    "DebtorContact",
    "DebtorKind",
    "Dispute",
    "Event",
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
