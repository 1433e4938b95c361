"""A run never aborts (issue 13, item 6): one broken debtor among healthy ones.

Whatever breaks for one claim or debtor (statement, rendering, refused
address, any exception in the deliverer) is recorded on that claim — action
failed with the reason and an ``action_failed`` event — and the run goes on;
``manage.py collect`` exits normally and reports it; nothing stays running.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from unittest import mock

import pytest

from claims.engine import execution
from claims.engine.execution import DeliveryResult
from claims.engine.execution import TwoPhaseDeliverer
from claims.engine.run import collection_run_sync
from claims.engine.tasks import deliver_debtor_actions_task
from claims.models import Action
from claims.models import Event
from tests import factories as f
from tests.claims.engine_fixtures import at
from tests.claims.engine_fixtures import open_claim

pytestmark = pytest.mark.usefixtures("engine_seed")
D = date(2026, 3, 2)
DAY3 = D + timedelta(days=3)  # BE-B2B first reminder


def claims_of_three_debtors(n: int = 3):
    creditor = f.CreditorFactory()
    return [
        open_claim(creditor, f.DebtorFactory(creditor=creditor), due=D, n=i)
        for i in range(n)
    ]


def _first(claim) -> Action:
    return Action.objects.get(claim=claim, step__kind="first_reminder")


def assert_only_bad_failed(claims, bad, why: str) -> None:
    for c in claims:
        a = _first(c)
        if c == bad:
            assert a.state == "failed"
            assert why in a.reason
            ev = Event.objects.get(claim=c, kind="action_failed")
            assert why in ev.message
        else:
            assert a.state == "done", (a.state, a.reason)
    assert not Action.objects.filter(state__in=["running", "sending"]).exists()


def test_a_rendering_error_of_one_debtor_fails_it_and_the_run_goes_on(db):
    claims = claims_of_three_debtors()
    bad = claims[0]
    sent = []

    def prepare(delivery):
        if bad.debtor_id == delivery.debtor_id:
            raise ValueError("template syntax error in reminder.html")
        return

    def send(delivery, _token):
        sent.append(delivery.debtor_id)
        return DeliveryResult(delivered=True, channel="email")

    previous = execution._deliverer
    execution.register_deliverer(TwoPhaseDeliverer(prepare, send))
    try:
        collection_run_sync(now=at(DAY3))
        # The Celery task does not raise (no crash loop) for the failed one.
        deliver_debtor_actions_task.run(
            bad.creditor_id, bad.debtor_id, [_first(bad).pk], DAY3.isoformat()
        )
        collection_run_sync(now=at(DAY3, 12))  # later ticks: not picked again
    finally:
        execution._deliverer = previous
    assert sorted(sent) == sorted(c.debtor_id for c in claims[1:])
    assert_only_bad_failed(claims, bad, "template syntax error")


def test_an_error_while_claiming_fails_that_debtor_only(deliverer):
    from claims.engine import run as services_run

    claims = claims_of_three_debtors()
    bad = claims[2]
    real = services_run._hold_until

    def hold(action, claim, *args):
        if claim.pk == bad.pk:
            raise ZeroDivisionError("scenario step with no pace")
        return real(action, claim, *args)

    with mock.patch.object(services_run, "_hold_until", side_effect=hold):
        collection_run_sync(now=at(DAY3))
    assert len(deliverer.deliveries) == 2
    assert_only_bad_failed(claims, bad, "scenario step with no pace")


def test_an_exception_while_sending_is_uncertain_not_resent(deliverer):
    """The message may have left before the error: shown, never sent again."""
    claims = claims_of_three_debtors()
    bad = claims[0]

    def before(delivery):
        if delivery.debtor_id == bad.debtor_id:
            raise RuntimeError("connection reset after DATA")

    deliverer.before = before
    collection_run_sync(now=at(DAY3))
    collection_run_sync(now=at(DAY3, 12))
    a = _first(bad)
    assert a.state == "uncertain"
    assert "connection reset after DATA" in a.reason
    assert Event.objects.filter(claim=bad, kind="action_uncertain").count() == 1
    for c in claims[1:]:
        assert _first(c).state == "done"
    assert not Action.objects.filter(state__in=["running", "sending"]).exists()
