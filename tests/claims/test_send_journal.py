"""The send journal: written with the intents, answered as the server answers,
read by recovery after a worker died."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from claims.engine.send_journal import DONE
from claims.engine.send_journal import PLANNED
from claims.engine.send_journal import UNCERTAIN
from claims.engine.send_journal import journal_batch
from claims.engine.send_journal import journal_fates
from claims.engine.send_journal import journal_open
from claims.models import SendJournal

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def test_a_batch_inside_the_caller_s_own_transaction_has_no_journal():
    """Nothing would commit before the caller does (the intents neither): a
    journal there would only wait on the caller's locks."""
    assert connection.in_atomic_block
    assert journal_batch(True) is None


def test_a_deliverer_that_does_not_report_its_answers_has_no_journal():
    assert journal_batch(False) is None


def _fates(answers: str) -> list[str]:
    """Fates of a batch whose messages got these answers ('a' accepted,
    'r' refused or stopped, '.' none), in sending order."""
    batch = uuid.uuid4()
    ids = [f"<m{i}-{batch}@example.test>" for i in range(len(answers))]
    journal_open(batch, list(enumerate(ids, start=1)))
    for mid, answer in zip(ids, answers, strict=True):
        if answer != ".":
            SendJournal.objects.filter(batch=batch, message_id=mid).update(
                answer=answer
            )
    fates = journal_fates(ids)
    assert not SendJournal.objects.filter(batch=batch).exists()  # read once
    return [fates[mid] for mid in ids]


def test_killed_before_the_first_send_only_the_first_message_is_uncertain():
    assert _fates("....") == [UNCERTAIN, PLANNED, PLANNED, PLANNED]


def test_killed_mid_batch_the_accepted_are_done_the_one_in_flight_uncertain():
    assert _fates("aa..") == [DONE, DONE, UNCERTAIN, PLANNED]


def test_stopped_and_refused_messages_never_left():
    assert _fates("rar.") == [PLANNED, DONE, PLANNED, UNCERTAIN]


def test_a_send_that_raised_before_a_later_answer_may_have_left():
    """A send that raised has no answer of its own, yet the batch went on:
    it may have reached the server, so it is uncertain, never planned."""
    assert _fates("a.a..") == [DONE, UNCERTAIN, DONE, UNCERTAIN, PLANNED]
