"""Real processes for the fault tests: an SMTP sink, Celery workers, beats."""

from __future__ import annotations

import collections
import contextlib
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).parent / "celery")
DELIVERER = "tests.reliability.deliverer.deliver"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """aiosmtpd on loopback that records each accepted message's action ids.

    ``mode``: "ok", "4xx" (451 at RCPT) or "5xx" (550 at RCPT); ``down()``
    stops listening (connection refused) and ``up()`` listens again.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.mode = "ok"
        self.messages: list[list[int]] = []
        self.message_ids: list[str] = []
        self.raw: list = []
        self.refused = 0
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "4xx":
            with self._lock:
                self.refused += 1
            return "451 4.3.0 Try again later"
        if self.mode == "5xx":
            with self._lock:
                self.refused += 1
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content)
        # The test deliverer names its actions; the letters deliverer's
        # messages are matched to theirs through the Message-ID.
        ids = [int(x) for x in (msg["X-Actions"] or "").split(",") if x]
        with self._lock:
            self.messages.append(ids)
            self.message_ids.append(str(msg["Message-ID"]))
            self.raw.append(msg)
        return "250 Message accepted"

    def up(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def sent_ids(self) -> collections.Counter:
        with self._lock:
            return collections.Counter(pk for m in self.messages for pk in m)


def worker_env(*, broker: str, smtp_port: int, **extra: str) -> dict[str, str]:
    """The environment of a worker talking to the pytest test database."""
    s = connection.settings_dict
    db = (
        f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="recouvrement.settings",
        DEBUG="true",
        DATABASE_URL=db,
        DB_CONN_MAX_AGE="0",
        CELERY_BROKER_URL=broker,
        CELERY_VISIBILITY_TIMEOUT="10",
        COLLECTION_STALE_RUNNING_SECONDS="3",
        COLLECTION_DELIVERER=DELIVERER,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        SMTP_STARTTLS="false",
        SMTP_TIMEOUT="5",
        REDIS_URL="",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


class Proc:
    """A Celery worker or beat in its own process group (killable as a whole)."""

    def __init__(
        self, args: list[str], env: dict[str, str], log: Path, app: str = "recouvrement"
    ) -> None:
        self.args, self.env, self.log, self.app = args, env, log, app
        self.popen: subprocess.Popen | None = None

    def start(self) -> Proc:
        out = self.log.open("ab")
        self.popen = subprocess.Popen(
            [CELERY, "-A", self.app, *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def children(self) -> list[int]:
        if not self.alive:
            return []
        pid = self.popen.pid
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return []
        return [int(x) for x in text.split()]

    def kill_group(self) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.alive:
            os.kill(self.popen.pid, signal.SIGTERM)  # warm shutdown
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill_group()
        elif self.popen is not None:
            self.kill_group()


def worker(
    env: dict[str, str], log: Path, name: str, app: str = "recouvrement"
) -> Proc:
    return Proc(
        [
            "worker",
            "--pool",
            "prefork",
            "-c",
            "2",
            "-l",
            "warning",
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env,
        log,
        app,
    )


def wait_until(pred, timeout: float, step: float = 0.1) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()
