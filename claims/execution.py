"""The seam between the collection engine (claims) and delivery (letters).

``claims`` decides *what* is due and records it as planned actions; the
``letters`` app registers, at start-up, the function that *delivers* them
(renders, sends, archives). ``claims`` never imports ``letters``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date


@dataclass(frozen=True)
class Delivery:
    """What the engine asks to deliver: one message to one debtor in one run.

    ``action_ids`` are the due actions of this debtor (possibly several
    claims); they are locked and re-checked by the engine before delivery.
    """

    creditor_id: int
    debtor_id: int
    action_ids: tuple[int, ...]
    today: date
    # Optional: a deliverer calls ``on_accepted(message_id)`` the moment the
    # server has accepted the message (SMTP "250" after DATA, before QUIT) so
    # the engine records it durably at once (docs/reliability.md). Not calling
    # it is safe: the engine records it when the deliverer returns.
    on_accepted: Callable[[str], None] | None = field(
        default=None, compare=False, repr=False
    )


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    channel: str = ""
    document_ids: tuple[int, ...] = field(default_factory=tuple)
    message_id: str = ""
    error: str = ""
    permanent: bool = False  # a failure not worth retrying (e.g. SMTP 5xx)


Deliverer = Callable[[Delivery], DeliveryResult]

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
