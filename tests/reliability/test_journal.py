"""The accepted-journal: a message that left before the worker died is not re-sent."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from claims import services_run
from claims.models import Action
from claims.services_run import actions_deliver
from claims.services_run import actions_requeue_stale
from claims.services_run import collection_plan
from tests.reliability.conftest import due_claims

pytestmark = pytest.mark.faults


class Killed(BaseException):
    """Stands for SIGKILL: the engine's transaction never commits."""


def _deliver_and_die(at_step: str):
    (claim,) = due_claims(1)
    ((c, d, ids, day),) = collection_plan(
        now=timezone.now(), creditor_id=claim.creditor_id
    ).deliveries
    with (
        mock.patch.object(services_run, at_step, side_effect=Killed),
        pytest.raises(Killed),
    ):
        actions_deliver(creditor_id=c, debtor_id=d, action_ids=ids, today=day)
    return claim, ids


@pytest.mark.django_db(transaction=True)
def test_worker_lost_after_the_message_left_finishes_without_resending(
    engine_seed, deliverer
):
    claim, ids = _deliver_and_die("_mark_done")
    assert len(deliverer.deliveries) == 1
    (a,) = Action.objects.filter(pk__in=ids)
    assert a.state == "running"
    assert a.reason.startswith("accepted:")
    later = timezone.now() + timedelta(hours=1)
    assert actions_requeue_stale(now=later) == 1
    a.refresh_from_db()
    assert a.state == "done"
    claim.refresh_from_db()
    assert claim.last_contact_on == timezone.localdate()
    assert claim.events.filter(kind="action_done").count() == 1
    # The next tick has nothing left to send for this step.
    assert collection_plan(now=later, creditor_id=claim.creditor_id).deliveries == []
    assert len(deliverer.deliveries) == 1


@pytest.mark.django_db(transaction=True)
def test_worker_lost_before_the_message_left_sends_again(engine_seed, deliverer):
    deliverer.before = mock.Mock(side_effect=Killed)
    _claim, ids = _deliver_and_die("_mark_failed")  # never reached: the deliverer dies
    (a,) = Action.objects.filter(pk__in=ids)
    assert (a.state, a.reason) == ("running", "")
    assert actions_requeue_stale(now=timezone.now() + timedelta(hours=1)) == 1
    a.refresh_from_db()
    assert a.state == "planned"
