"""The send journal: each server answer of a batch, durable as it comes.

The batch's transaction (claims and actions locked from the last re-check to
the done marks) cannot commit per message. So the batch's messages are
written to :class:`claims.models.SendJournal` in the transaction that records
their intent (:func:`journal_open`, one row per message in sending order:
"sending" never exists without its journal), and each answer of the server
goes there on a connection of its own, in autocommit, right after it comes
(:func:`journaled`). The done marks delete the batch's rows in their
transaction. After a worker is killed, recovery reads what is left
(:func:`journal_fates`): accepted → done (never sent again), refused or
stopped → planned, a message tried before a later answer but without its own
→ uncertain, the first message after the last answer → uncertain (it was in
flight), the later ones → planned (they never left). PostgreSQL only: SQLite
(``make run``) has one writer at a time, and its batches keep the rule
without a journal (the whole batch uncertain); so does a batch run inside a
caller's own transaction (nothing commits before the caller does).
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


def journal_batch(journals: bool) -> uuid.UUID | None:
    """A new journal batch for a delivery batch, or None when its answers
    cannot be journaled durably: SQLite, a deliverer that does not report its
    answers, or a caller's own transaction around the whole batch (then
    nothing commits before the caller does, the intents neither)."""
    if connection.vendor != "postgresql" or not journals:
        return None
    if connection.in_atomic_block:
        return None
    return uuid.uuid4()


def journal_open(batch: uuid.UUID | None, entries: list[tuple[int, str]]) -> None:
    """The messages about to be sent, ``(position, Message-ID)`` in the order
    they will go, written in the transaction that records their intent: a
    batch whose actions are "sending" always has its journal, however early
    its worker dies."""
    if batch is None or not entries:
        return
    SendJournal.objects.bulk_create(
        SendJournal(batch=batch, position=position, message_id=message_id)
        for position, message_id in entries
    )


class _Side:
    """A connection of its own, in autocommit: each answer durable at once."""

    def __init__(self, batch: uuid.UUID, skipped: list[str]) -> None:
        self.batch = batch
        self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with self.side.cursor() as cur:
                # Never wait long on a lock: the batch goes on only when its
                # answers can be written.
                cur.execute("SET lock_timeout = '5s'")
                if skipped:  # stopped after the intent: they will not leave
                    cur.execute(
                        "UPDATE claims_sendjournal SET answer = 'r', at = now()"
                        " WHERE batch = %s AND message_id = ANY(%s)",
                        [batch, skipped],
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
def journaled(batch: uuid.UUID | None, skipped: list[str] = ()) -> Iterator[None]:
    """Journal each answer of the server, as it comes, while the batch is
    sent; ``skipped``: its messages stopped after their intent (never sent).
    Without a journal batch, nothing is journaled."""
    if batch is None:
        yield
        return
    side = _Side(batch, list(skipped))
    token = ANSWERS.set(side.answer)
    try:
        yield
    finally:
        ANSWERS.reset(token)
        side.close()


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
    last_answer: dict[uuid.UUID, int] = {}
    for row in rows:
        if row.answer:
            last_answer[row.batch] = row.position
    in_flight: set[uuid.UUID] = set()
    for row in rows:
        if row.answer == SendJournal.Answer.ACCEPTED:
            fates[row.message_id] = DONE
        elif row.answer == SendJournal.Answer.REFUSED:
            fates[row.message_id] = PLANNED
        elif row.position < last_answer.get(row.batch, 0):
            # Tried before a later answer, its own never came (the send
            # raised): it may have left.
            fates[row.message_id] = UNCERTAIN
        elif row.batch in in_flight:
            fates[row.message_id] = PLANNED  # after the one in flight
        else:
            fates[row.message_id] = UNCERTAIN
            in_flight.add(row.batch)
    SendJournal.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return fates
