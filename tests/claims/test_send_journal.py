"""The send journal never waits on the batch's own transaction."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from claims.engine.send_journal import journaled
from claims.models import SendJournal

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_a_journal_whose_table_the_caller_holds_is_skipped_not_awaited():
    """A caller whose transaction holds the journal's table (the benchmarks'
    smoke test empties every table inside one transaction) gets no journal
    within the lock timeout, instead of a journal waiting for a commit that
    waits for it."""
    with connection.cursor() as cur:
        cur.execute("LOCK TABLE claims_sendjournal IN ACCESS EXCLUSIVE MODE")
    started = time.monotonic()
    with journaled(["<a@example.test>", "<b@example.test>"]) as batch:
        assert batch is None
    assert time.monotonic() - started < 10


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_a_journal_is_written_on_its_own_connection_before_any_send():
    with journaled(["<a@example.test>", "<b@example.test>"]) as batch:
        assert batch is not None
    # Written in autocommit on its own connection: visible, and removed
    # here by hand since the test's rollback does not reach it.
    rows = SendJournal.objects.filter(batch=batch)
    assert sorted(rows.values_list("position", "message_id")) == [
        (1, "<a@example.test>"),
        (2, "<b@example.test>"),
    ]
    from django.db import connections

    side = connections.create_connection("default")
    with side.cursor() as cur:
        cur.execute("DELETE FROM claims_sendjournal WHERE batch = %s", [batch])
    side.close()
