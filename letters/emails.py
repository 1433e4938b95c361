"""Build and send the emails to debtors (HTML + text, sender name, Reply-To).

Messages go through Django 6.1's MAILERS (the default mailer): SMTP, or a
provider through django-anymail (``ANYMAIL_BACKEND``, e.g.
``anymail.backends.brevo.EmailBackend``, with its ``ANYMAIL`` settings).
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from email.utils import formataddr
from email.utils import make_msgid
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from claims.law.types import Statement
from claims.ledger.statements import amount_to_pay

EMAIL_TEMPLATES = ("reminder", "formal_notice", "thank_you", "plan_confirmation")

# The debtor portal (another area) registers a function returning the link
# for a debtor's claims; no link is printed until one is registered.
PortalLink = Callable[[Any, list[Any]], str]
_portal_link: PortalLink | None = None


def register_portal_link(func: PortalLink) -> None:
    """Let the debtor portal put its link in every email: ``func(debtor, claims)``."""
    global _portal_link
    _portal_link = func


def portal_url(debtor: Any, claims: list[Any]) -> str:
    return _portal_link(debtor, claims) if _portal_link is not None else ""


_portal_links: Callable[[list[tuple[Any, list[Any]]]], list[str]] | None = None


def register_portal_links(func: Callable[[list[tuple[Any, list[Any]]]], list[str]]):
    """The batch form of the portal link (one set of statements for many)."""
    global _portal_links
    _portal_links = func


def portal_urls(items: list[tuple[Any, list[Any]]]) -> list[str]:
    """One portal link per (debtor, claims), in order."""
    if _portal_links is not None and _portal_link is not None:
        return _portal_links(items)
    return [portal_url(debtor, claims) for debtor, claims in items]


@dataclass(frozen=True)
class ClaimLine:
    reference: str
    payment_reference: str
    statement: Statement
    # The claim's letter (letters.services.letter_context_for): what its PDF
    # says, the e-mail says — deadline, amount to pay by then, mentions.
    letter: dict[str, Any] | None = None

    @property
    def payable(self) -> Statement:
        return self.letter["payable"] if self.letter else self.statement

    @property
    def deadline(self) -> date | None:
        return self.letter["deadline"] if self.letter else None

    @property
    def amount_to_pay(self) -> Decimal:
        """What the e-mail asks for: the amount to pay by the claim's deadline
        (interest to that day included), else the statement's amount to pay."""
        return amount_to_pay(self.payable)

    @property
    def interest_due(self) -> Decimal:
        return self.payable.interest_due

    @property
    def costs_due(self) -> Decimal:
        return self.payable.costs_due


@dataclass
class EmailSpec:
    """Everything an email says, in plain values."""

    template: str
    kind: str
    language: str
    creditor_name: str
    sender_email: str
    reply_to: str
    to: list[str]
    claims: list[ClaimLine]
    iban: str
    bic: str
    deadline: date | None
    portal_url: str = ""
    identity: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def email_template_name(step_template: str, kind: str) -> str:
    """The email triplet for a step: its own template if shipped, else by kind."""
    if step_template in EMAIL_TEMPLATES:
        return step_template
    return "formal_notice" if kind == "formal_notice" else "reminder"


def render_plain(name: str, context: dict[str, Any]) -> str:
    """A plain-text template (subject, text part): no HTML escaping.

    ``render_to_string`` escapes for HTML, which turns a debtor's "Dupont & Fils"
    into "Dupont &amp; Fils" in a subject line or a text/plain body.
    """
    from django.template import Context
    from django.template.loader import get_template

    return get_template(name).template.render(Context(context, autoescape=False))


def email_build(spec: EmailSpec) -> EmailMultiAlternatives:
    """The message (not sent): subject, text and HTML parts, attachments, headers."""
    context = {
        "kind": spec.kind,
        "language": spec.language,
        "creditor_name": spec.creditor_name,
        "claims": spec.claims,
        "references": ", ".join(c.reference for c in spec.claims),
        "iban": spec.iban,
        "bic": spec.bic,
        "deadline": spec.deadline,
        "portal_url": spec.portal_url,
        "attached": bool(spec.attachments),
        "identity": spec.identity,
        "grand_total": sum((c.amount_to_pay for c in spec.claims), Decimal("0.00")),
        "currency": spec.claims[0].statement.currency if spec.claims else "EUR",
        **spec.extra,
    }
    base = f"letters/email/{spec.template}"
    with translation.override(spec.language):
        subject = " ".join(render_plain(f"{base}-subject.txt", context).split())
        text = render_plain(f"{base}-body.txt", context)
        html = render_to_string(f"{base}-body.html", context)
    _name, from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = from_address.rpartition("@")[2] or "localhost"
    message = EmailMultiAlternatives(
        subject=subject[:300],
        body=text,
        from_email=formataddr((spec.creditor_name, spec.sender_email or from_address)),
        to=spec.to,
        reply_to=[spec.reply_to] if spec.reply_to else None,
        headers={"Message-ID": make_msgid(domain=domain)},
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mime in spec.attachments:
        message.attach(filename, content, mime)
    return message


def is_permanent(exc: BaseException) -> bool:
    """SMTP 5xx answers, refused recipients and addresses the mailer cannot
    encode (``ValueError``, e.g. non-ASCII local parts) are not worth retrying."""
    if isinstance(exc, ValueError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False
