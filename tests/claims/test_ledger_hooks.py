"""The ledger wakes the engine through hooks the engine registers at start-up."""

from __future__ import annotations

import pytest

from claims.engine import collection
from claims.ledger import hooks


def test_the_engine_registers_its_hooks_at_start_up():
    assert hooks._hooks == {
        "claim_opened": collection.claim_plan_on_open,
        "payment_recorded": collection.claim_after_payment,
        "payment_reversed": collection.claim_after_reversal,
    }


def test_an_unknown_hook_is_refused():
    with pytest.raises(TypeError, match="claim_closed"):
        hooks.register(claim_closed=print)


def test_a_hook_not_registered_does_nothing(monkeypatch):
    monkeypatch.setattr(hooks, "_hooks", {})
    assert hooks.call("claim_opened", claim=None) is None
    seen = []
    hooks.register(claim_opened=lambda **kw: seen.append(kw))
    hooks.call("claim_opened", claim="c")
    assert seen == [{"claim": "c"}]
