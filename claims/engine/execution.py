"""The seam between the collection engine (claims) and delivery (letters).

``claims`` decides *what* is due and records it as planned actions; the
``letters`` app registers, at start-up, the function that *delivers* them
(renders, sends, archives). ``claims`` never imports ``letters``.

A deliverer works in two phases (docs/reliability.md):

1. ``prepare(delivery)`` runs under the claims' row locks in the transaction
   that records the intent to send (actions ``sending``): it renders,
   archives and writes its message rows. It returns an opaque token, or a
   ``DeliveryResult`` when nothing can be sent (no address, refused address…).
   That transaction commits *before* any byte leaves.
2. ``send(delivery, token)`` runs under the locks again, right after the
   engine re-checked the claims, and returns a ``DeliveryResult``.

``cancel(delivery, token)`` is called when a payment, dispute or pause
committed between the two phases stops the message; ``settle(action_ids,
sent)`` when the owner decides an uncertain send (confirmed sent, or to be
sent again). A plain function ``Delivery → DeliveryResult`` is still accepted:
it is treated as send-only (the intent is committed just before calling it).

The engine delivers a batch of debtors at a time (``actions_deliver_batch``).
A deliverer may take the whole batch at once: ``prepare_many(deliveries)``
(one token or ``DeliveryResult`` per delivery, same order) and
``send_many(pairs)`` (one ``DeliveryResult`` per pair, same order — e.g. all
the messages over one SMTP connection). Without them the engine calls
``prepare`` and ``send`` once per delivery.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Delivery:
    """What the engine asks to deliver: one message to one debtor in one run.

    ``action_ids`` are the due actions of this debtor (possibly several
    claims); they are locked and re-checked by the engine before delivery.
    ``attempt`` is the send round: 1, plus one per resend the owner asked for
    after an uncertain send. Automatic retries after a refusal keep the
    Message-ID (a copy can be de-duplicated); an owner's resend gets a new one.
    """

    creditor_id: int
    debtor_id: int
    action_ids: tuple[int, ...]
    today: date
    attempt: int = 1

    def message_id(self) -> str:
        """Deterministic per (actions, attempt): a provider or the receiving
        server can de-duplicate a copy, and a new attempt is a new message."""
        from email.utils import parseaddr

        from django.conf import settings

        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
        domain = domain or "localhost"
        ids = "-".join(str(pk) for pk in sorted(self.action_ids))
        if len(ids) > 120:
            ids = hashlib.sha256(ids.encode()).hexdigest()[:32]
        return f"<rec-{self.creditor_id}-{ids}-a{self.attempt}@{domain}>"


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    channel: str = ""
    document_ids: tuple[int, ...] = field(default_factory=tuple)
    message_id: str = ""
    error: str = ""
    permanent: bool = False  # a failure not worth retrying (e.g. SMTP 5xx)
    # The connection failed after the message was handed over (during DATA):
    # the server may hold it. Shown to the owner, never retried by itself.
    uncertain: bool = False


def _database_errors() -> tuple[type[BaseException], ...]:
    from django.db import InterfaceError
    from django.db import OperationalError

    return (OperationalError, InterfaceError)


# Connection trouble with the database is the task's to retry, not a send's.
SEND_PROPAGATES = _database_errors()

SendOnly = Callable[[Delivery], DeliveryResult]


#: Set by the engine while a batch is sent (claims.engine.send_journal).
ANSWERS: ContextVar[Callable[[str, bool], None] | None] = ContextVar(
    "send_answers", default=None
)


def answered(message_id: str, accepted: bool) -> None:
    """The server answered the message ``message_id`` (its Delivery's
    Message-ID): accepted (250) or refused. A deliverer's ``send_many`` calls
    this right after each answer, in the order of the batch, so that a worker
    killed during the batch leaves at most the message in flight uncertain
    (docs/reliability.md). Nothing outside a batch sent by the engine."""
    hook = ANSWERS.get()
    if hook is not None:
        hook(message_id, accepted)


@dataclass(frozen=True)
class TwoPhaseDeliverer:
    prepare: Callable[[Delivery], Any]
    send: Callable[[Delivery, Any], DeliveryResult]
    cancel: Callable[[Delivery, Any], None] | None = None
    settle: Callable[[list[int], bool], None] | None = None
    prepare_many: Callable[[list[Delivery]], list[Any]] | None = None
    send_many: Callable[[list[tuple[Delivery, Any]]], list[DeliveryResult]] | None = (
        None
    )
    #: ``send_many`` sends in the batch's order and calls :func:`answered`
    #: after each answer (without ``send_many`` the engine does it).
    journals: bool = False

    @property
    def journaled(self) -> bool:
        return self.send_many is None or self.journals

    def prepare_batch(self, deliveries: list[Delivery]) -> list[Any]:
        """One token (or a failed ``DeliveryResult``) per delivery, same order."""
        if self.prepare_many is not None:
            return self.prepare_many(deliveries)
        return [self.prepare(d) for d in deliveries]

    def send_batch(self, pairs: list[tuple[Delivery, Any]]) -> list[DeliveryResult]:
        """One result per (delivery, token), same order.

        Without ``send_many``: one ``send`` per delivery; an exception of one
        (it may have left before the error) makes that one uncertain, the
        others go on.
        """
        if self.send_many is not None:
            return self.send_many(pairs)
        results = []
        for delivery, token in pairs:
            try:
                results.append(self.send(delivery, token))
                if not results[-1].uncertain:
                    answered(delivery.message_id(), results[-1].delivered)
            except SEND_PROPAGATES:
                raise
            except Exception as exc:
                results.append(
                    DeliveryResult(
                        delivered=False,
                        error=f"{type(exc).__name__}: {exc}"[:500],
                        uncertain=True,
                    )
                )
        return results

    def __call__(self, delivery: Delivery) -> DeliveryResult:
        """Both phases at once (no intent recorded in between): tests, tools."""
        token = self.prepare(delivery)
        if isinstance(token, DeliveryResult) and not token.delivered:
            return token
        return self.send(delivery, token)


Deliverer = TwoPhaseDeliverer | SendOnly

_deliverer: Deliverer | None = None
_pinned = False


def register_deliverer(func: Deliverer, *, pinned: bool = False) -> None:
    """Called by ``letters.apps.LettersConfig.ready``.

    ``pinned`` is used by ``claims.apps`` for the ``COLLECTION_DELIVERER``
    setting: an operator's explicit choice is not replaced by a later
    ``register_deliverer`` call from an app's ``ready()``.
    """
    global _deliverer, _pinned
    if _pinned and not pinned:
        return
    _deliverer = func
    _pinned = _pinned or pinned


def get_deliverer() -> Deliverer:
    if _deliverer is None:
        raise RuntimeError("No deliverer registered: is the letters app installed?")
    return _deliverer


def two_phase(deliverer: Deliverer) -> TwoPhaseDeliverer:
    """The registered deliverer as two phases (a plain function is send-only)."""
    if isinstance(deliverer, TwoPhaseDeliverer):
        return deliverer
    return TwoPhaseDeliverer(prepare=lambda d: None, send=lambda d, _t: deliverer(d))


# --- notices: messages outside the scenario's steps ------------------------


NOTICE_KINDS = ("plan_confirmation", "plan_reminder", "plan_missed", "thank_you")


@dataclass(frozen=True)
class Notice:
    """One message the engine owes outside the scenario: a plan confirmation,
    a reminder before or after an instalment, a thank-you on full payment.

    ``subject_id`` is what it is about (the plan, the instalment, the claim):
    with ``kind`` it is the message's identity, sent at most once
    (:meth:`message_id`, recorded as the intent before any byte leaves).
    """

    kind: str
    claim_id: int
    subject_id: int
    today: date

    def message_id(self, creditor_id: int) -> str:
        from email.utils import parseaddr

        from django.conf import settings

        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
        kind = self.kind.replace("_", "-")
        return f"<rec-{creditor_id}-{kind}-{self.subject_id}@{domain or 'localhost'}>"


Notifier = Callable[[list[Notice]], int]
_notifier: Notifier | None = None


def register_notifier(func: Notifier) -> None:
    """Called by ``letters.apps.LettersConfig.ready``: ``func(notices)`` sends
    those not sent yet (each exactly once) and returns how many left."""
    global _notifier
    _notifier = func


def get_notifier() -> Notifier | None:
    return _notifier
