"""What a ledger write tells the parts above it, without importing them.

The ledger never imports the collection engine: a claim opened, a payment
recorded or reversed calls the hooks below, which the engine registers at
start-up (``ClaimsConfig.ready`` → :func:`claims.engine.collection.ledger_hooks_register`).
Unregistered, a hook does nothing: the ledger alone books correctly, nothing
is planned or closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Hook = Callable[..., Any]

NAMES = ("claim_opened", "payment_recorded", "payment_reversed")
_hooks: dict[str, Hook] = {}


def register(**hooks: Hook) -> None:
    """Register the hooks by name (``claim_opened=f``…); a new one replaces the old."""
    unknown = set(hooks) - set(NAMES)
    if unknown:
        raise TypeError(f"unknown ledger hook(s): {', '.join(sorted(unknown))}")
    _hooks.update(hooks)


def call(name: str, **kwargs: Any) -> Any:
    """Call the hook ``name`` with ``kwargs``; None when none is registered."""
    hook = _hooks.get(name)
    return None if hook is None else hook(**kwargs)
