"""SIGKILL real Celery workers during delivery: never twice, never silently lost.

Kill points are deterministic: the test deliverer (tests/reliability/
deliverer.py) SIGKILLs its own pool process at a chosen point for chosen
actions (``FAULT_KILL_FILE``): before the intent to send commits
("prepare"), after it but before the SMTP exchange ("before_send"), after
the server's 250 but before the done mark commits ("after_send"). Every
fourth run also kills the whole worker (process group, a crashed host) at a
random moment: its outcome may vary, the invariants checked may not.

The tick enqueues one task per batch of debtors (``deliver_batch_task``),
and the test deliverer sends a batch over one SMTP connection: these are
kills during a batch. One chosen point per run (rotating). The send journal
(claims.engine.send_journal) holds each answer of the server as it comes: a kill in
the send phase leaves at most the one message in flight uncertain; the
messages accepted before it are done, those after it are sent by a later
run.

Invariants: no action in two accepted messages; every done action sent
exactly once; every uncertain action sent 0 or 1 times and on the owner's
list; nothing running, sending or due-and-planned left. Per chosen action
the outcome is exact: "prepare" → done, sent once; "before_send" →
uncertain, 0 messages; "after_send" → done, 1 message (journaled). Per
run (one batch), at most one message ends uncertain.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import random
import time
from pathlib import Path

import pytest
from django.utils import timezone

from claims.engine.run import collection_enqueue
from claims.models import Action
from claims.models import ScenarioStep
from tests.reliability import checks
from tests.reliability.conftest import due_claims
from tests.reliability.harness import wait_until
from tests.reliability.harness import worker
from tests.reliability.harness import worker_env

pytestmark = [pytest.mark.slow, pytest.mark.faults]
RUNS = int(os.environ.get("FAULT_RUNS", "12"))
CLAIMS_PER_RUN, DEBTORS_PER_RUN = 16, 8
POINTS = {"prepare": ("done", 1), "before_send": ("uncertain", 0)}
# Killed right after the server's 250: the send journal holds the answer.
POINTS["after_send"] = ("done", 1)


def _today_by_debtor(claim_ids: list[int]) -> dict[int, list[int]]:
    """debtor id → the action of each of its claims that today's run sends."""
    first: dict[int, Action] = {}
    for a in Action.objects.filter(
        claim_id__in=claim_ids, state="planned", due_on__lte=timezone.localdate()
    ).select_related("step"):
        if a.claim_id not in first or a.step.position < first[a.claim_id].step.position:
            first[a.claim_id] = a
    out: dict[int, list[int]] = collections.defaultdict(list)
    for a in first.values():
        out[a.debtor_id].append(a.pk)
    return out


class Kills:
    """The kill file the workers read, and the outcome expected per action."""

    def __init__(self, path: Path, rng: random.Random) -> None:
        self.path, self.rng = path, rng
        self.targets: dict[str, list[int]] = {p: [] for p in POINTS}
        self.expected: dict[int, tuple[str, int]] = {}
        self.path.write_text(json.dumps(self.targets))

    def choose(self, claim_ids: list[int], point: str) -> None:
        """One debtor of this run killed at ``point``. One point per run: the
        run's debtors go out in one batch, and a kill in the send phase of a
        batch leaves every message of that batch uncertain (sent or not), so
        a second chosen point in the same batch would not have its own
        outcome."""
        by_debtor = _today_by_debtor(claim_ids)
        debtor = self.rng.choice(sorted(by_debtor))
        self.targets[point].append(by_debtor[debtor][0])
        for pk in by_debtor[debtor]:
            self.expected[pk] = POINTS[point]
        self.path.write_text(json.dumps(self.targets))

    def happened(self) -> int:
        return len(list(self.path.parent.glob(f"{self.path.name}.*")))


def _tick_until_settled(claims: list[int], w, timeout: float = 90) -> bool:
    def tick() -> bool:
        if not w.alive:
            return False
        if checks.converged(claims):
            return True
        collection_enqueue()
        return False

    return wait_until(tick, timeout, step=0.5)


def _check(sent, claims: list[int], kills: Kills, stats: dict) -> None:
    dup, lost, extra = checks.exactly_once(sent, claims)
    done, uncertain = checks.done_ids(claims), checks.uncertain_ids(claims)
    stats.update(
        done=len(done),
        uncertain=len(uncertain),
        uncertain_sent_once=sum(1 for pk in uncertain if sent[pk] == 1),
        duplicates=len(dup),
        lost=len(lost),
    )
    print("FAULTS sigkill", json.dumps(stats))  # noqa: T201
    assert dup == [], f"sent twice: {dup}"
    assert lost == [], f"done but never sent: {lost}"
    assert extra == [], f"sent but neither done nor uncertain: {extra}"
    assert all(sent[pk] == 1 for pk in done)
    assert all(sent[pk] <= 1 for pk in uncertain)
    assert checks.uncertain_listed(claims)
    assert len(done) + len(uncertain) == len(claims)  # one step today per claim
    states = dict(
        Action.objects.filter(pk__in=kills.expected).values_list("pk", "state")
    )
    got = {pk: (states[pk], sent[pk]) for pk in kills.expected}
    assert got == kills.expected


def _uncertain_messages(claim_ids: list[int]) -> set[str]:
    """The messages (Message-IDs) left uncertain among these claims' actions."""
    return set(
        Action.objects.filter(claim_id__in=claim_ids, state="uncertain").values_list(
            "message_id", flat=True
        )
    )


@pytest.mark.django_db(transaction=True)
def test_sigkill_at_chosen_points_never_sends_twice_nor_loses_silently(
    engine_seed, smtp, broker, settings, tmp_path
):
    settings.COLLECTION_STALE_RUNNING_SECONDS = 3
    rng = random.Random(20261128)
    kills = Kills(tmp_path / "kills.json", rng)
    env = worker_env(
        broker=broker, smtp_port=smtp.port, FAULT_KILL_FILE=str(kills.path)
    )
    w = worker(env, tmp_path / "worker.log", "kill").start()
    warm = [c.pk for c in due_claims(2)]  # the worker consumes before run 1
    collection_enqueue()
    assert wait_until(lambda: checks.converged(warm), 60), "worker never started"
    stats = {"runs": 0, "chosen_point_kills": 0, "whole_worker_kills": 0}
    all_claims = list(warm)
    try:
        for run in range(RUNS):
            claims = [c.pk for c in due_claims(CLAIMS_PER_RUN, debtors=DEBTORS_PER_RUN)]
            all_claims += claims
            whole = run % 4 == 3
            if not whole:
                kills.choose(claims, list(POINTS)[(run - run // 4) % len(POINTS)])
            collection_enqueue()
            if whole:
                time.sleep(rng.uniform(0.0, 0.35))
                w.kill_group()
                stats["whole_worker_kills"] += 1
                w = worker(env, tmp_path / "worker.log", f"kill{run}").start()
            assert _tick_until_settled(claims, w), f"run {run} never settled"
            in_flight = _uncertain_messages(claims)
            assert len(in_flight) <= 1, f"run {run}: {in_flight} uncertain"
            stats["uncertain_messages_max"] = max(
                stats.get("uncertain_messages_max", 0), len(in_flight)
            )
            stats["runs"] += 1
        stats["chosen_point_kills"] = kills.happened()
        stats["messages"] = len(smtp.messages)
        _check(smtp.sent_ids(), all_claims, kills, stats)
        assert stats["chosen_point_kills"] == RUNS - RUNS // 4
    finally:
        w.stop()


@pytest.mark.django_db(transaction=True)
def test_sigkill_with_the_real_letters_deliverer_keeps_every_record(
    engine_seed, smtp, broker, settings, tmp_path
):
    """PDF, OutboundMessage and Document rows are written before sending: every
    message the server received has its row and its archived letter."""
    from letters.models import Document
    from letters.models import OutboundMessage

    settings.COLLECTION_STALE_RUNNING_SECONDS = 3
    ScenarioStep.objects.update(attach_pdf=True)  # every step carries its PDF
    kills = Kills(tmp_path / "kills.json", random.Random(15))
    env = worker_env(
        broker=broker,
        smtp_port=smtp.port,
        FAULT_KILL_FILE=str(kills.path),
        COLLECTION_DELIVERER="tests.reliability.deliverer.letters",
    )
    w = worker(env, tmp_path / "worker.log", "letters").start()
    try:
        claims = []
        for point in POINTS:  # one kill point per batch (see Kills.choose)
            batch = [c.pk for c in due_claims(6, debtors=3)]
            claims += batch
            kills.choose(batch, point)
            collection_enqueue()
            assert _tick_until_settled(batch, w, timeout=180), "never settled"
            assert len(_uncertain_messages(batch)) <= 1
        assert kills.happened() == len(POINTS)
        sent: collections.Counter = collections.Counter()
        for mid, msg in zip(smtp.message_ids, smtp.raw, strict=True):
            # A message that never left (after the one in flight) was prepared
            # again under the same Message-ID: the sent record is the one.
            record = OutboundMessage.objects.get(message_id=mid, status="sent")
            ids = list(record.actions.values_list("pk", flat=True))
            sent.update(ids)
            pdfs = [
                hashlib.sha256(p.get_payload(decode=True)).hexdigest()
                for p in msg.walk()
                if p.get_content_type() == "application/pdf"
            ]
            docs = Document.objects.filter(messages=record)
            assert sorted(pdfs) == sorted(d.sha256 for d in docs)
            assert len(pdfs) == len(ids) > 0  # one archived letter per claim
        stats = {"messages": len(smtp.message_ids), "chosen_point_kills": 3}
        _check(sent, claims, kills, stats)
        for pk in checks.done_ids(claims):
            record = OutboundMessage.objects.get(actions=pk, status="sent")
            assert record.documents.filter(sent_at__isnull=False).exists()
    finally:
        w.stop()
