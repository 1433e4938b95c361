"""Path 2: executing due reminder actions without PDF, to an SMTP server on loopback.

On the shared dataset, inside a transaction rolled back at the end (the dataset
stays as seeded), ``K`` open claims of debtors with an e-mail address get their
scenario planned and only their first reminder (e-mail, no PDF) left, due
today. They are executed in ``ROUNDS`` equal batches through the engine's
``claims.engine.run.actions_deliver`` with the real deliverer of the letters
app (render + send), ``MAILERS`` pointing at an aiosmtpd server on 127.0.0.1.
Median: seconds per batch. Floor: sending as many pre-rendered messages (the
ones the server received) through one connection of the same SMTP backend.
Until the letters app registers its deliverer, the path reports "skipped".
"""

from __future__ import annotations

import logging
import socket
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email import policy

from django.core.mail import EmailMessage
from django.core.mail import mailers
from django.db import transaction
from django.test.utils import override_settings

from bench import _data

K = 150
ROUNDS = 3
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class _Rollback(Exception):
    pass


class _Sink:
    """aiosmtpd handler keeping what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(k: int) -> list[tuple[int, int, list[int], object]]:
    """Plan k claims, keep only their first e-mail reminder, due today (the
    seeded history of those claims is set aside: this path times one send)."""
    from claims.engine.collection import claims_plan
    from claims.engine.run import actions_due
    from claims.engine.run import group_by_debtor
    from claims.models import Action
    from claims.models import Claim
    from claims.models import Creditor
    from claims.models import ScenarioStep
    from claims.models import Stage

    today = _data.TODAY
    ids = list(
        Claim.objects.filter(
            status=Claim.Status.OPEN,
            balance__gt=0,
            oldest_due_date__isnull=False,
            debtor__is_insolvent=False,
            debtor__is_deceased=False,
            debtor__address_unknown=False,
        )
        .exclude(debtor__email="")
        # seed_demo writes some accented local parts (chloé.…@…), which the
        # SMTP backend refuses with a ValueError (a permanent failure of that
        # action): kept out of this timing.
        .exclude(debtor__email__regex=r"[^\x00-\x7F]")
        .exclude(debtor__contacts__email__regex=r"[^\x00-\x7F]")
        .order_by("pk")
        .values_list("pk", flat=True)[:k]
    )
    Claim.objects.filter(pk__in=ids).update(
        stage=Stage.AMICABLE,
        paused_until=None,
        last_contact_on=None,
        first_reminder_sent_on=None,
    )
    claims_plan(claim_ids=ids)
    first = ScenarioStep.objects.filter(
        kind=ScenarioStep.Kind.FIRST_REMINDER, channel="email", attach_pdf=False
    )
    Action.objects.filter(claim_id__in=ids).exclude(step__in=first).delete()
    Action.objects.filter(claim_id__in=ids).update(due_on=today, state="planned")
    Claim.objects.filter(pk__in=ids).update(next_action_on=today)
    rows = actions_due(
        creditor_days=dict.fromkeys(
            Creditor.objects.values_list("pk", flat=True), today
        )
    )
    wanted = set(Action.objects.filter(claim_id__in=ids).values_list("pk", flat=True))
    return group_by_debtor([r for r in rows if r[0] in wanted])


def _floor(messages: list[EmailMessage]) -> float:
    """Seconds to send ``messages`` over one connection of the default mailer."""
    backend = mailers.default
    started = time.perf_counter()
    with backend:
        backend.send_messages(messages)
    return time.perf_counter() - started


@contextmanager
def smtp_sink(timeout: int = 10) -> Iterator[_Sink]:
    """aiosmtpd on loopback and ``MAILERS`` pointing at it; yields its sink."""
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    mailer = {"BACKEND": SMTP_BACKEND, "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": timeout}}  # fmt: skip
    try:
        with override_settings(MAILERS={"default": mailer}):
            yield sink
    finally:
        controller.stop()


def received_again(sink: _Sink, n: int) -> list[EmailMessage]:
    """The first ``n`` messages the sink received, as plain messages to send
    again (the floor: no rendering, one connection)."""
    messages = []
    for rcpt, raw in sink.received[:n]:
        parsed = message_from_bytes(raw, policy=policy.default)
        body = parsed.get_body(preferencelist=("plain", "html"))
        messages.append(
            EmailMessage(
                subject=str(parsed["Subject"]),
                body=body.get_content() if body else "",
                to=rcpt,
            )
        )
    return messages


def run(n_claims: int) -> list[dict]:
    from claims.engine import execution
    from claims.engine.run import actions_deliver

    label = "delivery: first reminders by e-mail, no PDF (render + SMTP)"
    try:
        execution.get_deliverer()
    except RuntimeError:
        return [{"measurement": label, "median": None, "skipped": "letters deliverer not available"}]  # fmt: skip
    _data.dataset(n_claims)
    with smtp_sink() as sink:
        try:
            with transaction.atomic():
                deliveries = _prepare(K)
                size = max(1, len(deliveries) // ROUNDS)
                batches = [deliveries[i * size : (i + 1) * size] for i in range(ROUNDS)]  # fmt: skip
                runs, done = [], 0
                for batch in batches:
                    if not batch:
                        continue
                    started = time.perf_counter()
                    for c, d, ids, today in batch:
                        out = actions_deliver(
                            creditor_id=c, debtor_id=d, action_ids=ids, today=today
                        )
                        done += len(out.done)
                    runs.append(time.perf_counter() - started)
                raise _Rollback
        except _Rollback:
            pass
        if not runs or not sink.received:
            raise AssertionError("no reminder was delivered")
        received = len(sink.received)
        messages = received_again(sink, size)
        floors = [_floor(messages) for _ in range(ROUNDS)]
    median = statistics.median(runs)
    return [
        {
            "measurement": f"delivery: {size} debtors' first reminders (render + SMTP)",
            "key": "delivery: batch of first reminders",
            "median": median,
            "floor": statistics.median(floors),
            "runs": len(runs),
            "actions_done": done,
            "messages": received,
            "per_second": size / median if median else None,
        }
    ]
