"""The send journal: each server answer of a batch, durable as it comes.

The batch's transaction (claims and actions locked from the last re-check to
the done marks) cannot commit per message, so the answers go to
:class:`claims.models.SendJournal` on a connection of their own, in
autocommit: the batch's messages first (one INSERT), then one small UPDATE
right after each answer. The done marks delete the batch's rows in their
transaction. After a worker is killed, recovery reads what is left
(:func:`journal_fates`): accepted → done (never sent again), the first message
without an answer → uncertain (it was in flight), the later ones → planned
(they never left). PostgreSQL only: SQLite (``make run``) has one writer at a
time, and its batches keep the old rule (the whole batch uncertain).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS
from django.db import DatabaseError
from django.db import connection
from django.db import connections

from claims.engine.execution import ANSWERS
from claims.models import SendJournal

DONE, UNCERTAIN, PLANNED = "done", "uncertain", "planned"


class _Journal:
    """The rows of one batch, written on a connection of their own."""

    def __init__(self, message_ids: list[str]) -> None:
        self.batch = uuid.uuid4()
        self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with self.side.cursor() as cur:  # autocommit: durable before any send
                # Never wait on the batch's own transaction: if it holds the
                # table (a run wrapped in one transaction that emptied it, as the
                # benchmarks' smoke test does), the journal would wait for a
                # commit that waits for the journal.
                cur.execute("SET lock_timeout = '2s'")
                cur.execute(
                    "INSERT INTO claims_sendjournal (batch, position, message_id,"
                    " answer, at)"
                    " SELECT %s, t.p, t.m, '', now()"
                    " FROM unnest(%s::text[]) WITH ORDINALITY AS t(m, p)",
                    [self.batch, message_ids],
                )
        except DatabaseError:
            self.side.close()
            raise

    def answer(self, message_id: str, accepted: bool) -> None:
        with self.side.cursor() as cur:
            cur.execute(
                "UPDATE claims_sendjournal SET answer = %s, at = now()"
                " WHERE batch = %s AND message_id = %s",
                ["a" if accepted else "r", self.batch, message_id],
            )

    def close(self) -> None:
        self.side.close()


@contextmanager
def journaled(message_ids: list[str]) -> Iterator[uuid.UUID | None]:
    """Journal the answers given while the batch ``message_ids`` (in the order
    they are sent) is sent; yields the batch's id (None: not journaled)."""
    if connection.vendor != "postgresql" or not message_ids:
        yield None
        return
    try:
        journal = _Journal(message_ids)
    except DatabaseError:
        # No journal (its table is locked by the caller's own transaction):
        # the batch keeps the rule without one, uncertain as a whole after a
        # crash, never sent twice.
        yield None
        return
    token = ANSWERS.set(journal.answer)
    try:
        yield journal.batch
    finally:
        ANSWERS.reset(token)
        journal.close()


def journal_forget(batch: uuid.UUID | None) -> None:
    """The batch's outcome is committed with its done marks: its rows go."""
    if batch is not None:
        SendJournal.objects.filter(batch=batch).delete()


def journal_fates(message_ids: list[str]) -> dict[str, str]:
    """What recovery does with each journaled message of a killed batch:
    ``done`` (the server accepted it), ``uncertain`` (the first message of its
    batch without an answer: it was in flight) or ``planned`` (refused, or
    after the one in flight: it never left). Messages not journaled are
    missing from the answer (uncertain, the rule without a journal). The
    rows read are deleted (in the caller's transaction)."""
    rows = list(
        SendJournal.objects.filter(
            batch__in=SendJournal.objects.filter(message_id__in=message_ids).values(
                "batch"
            )
        ).order_by("batch", "position")
    )
    fates: dict[str, str] = {}
    in_flight: set[uuid.UUID] = set()
    for row in rows:
        if row.answer == SendJournal.Answer.ACCEPTED:
            fates[row.message_id] = DONE
        elif row.answer == SendJournal.Answer.REFUSED or row.batch in in_flight:
            fates[row.message_id] = PLANNED
        else:
            fates[row.message_id] = UNCERTAIN
            in_flight.add(row.batch)
    SendJournal.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return fates
