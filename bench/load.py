"""Load test: N virtual users on dashboard, claims list and claim page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rec_load .venv/bin/python -m bench.load

Drops and re-creates the scratch database named in DATABASE_URL (its name must
contain "load" or "bench"), seeds it with bulk inserts, starts gunicorn on
127.0.0.1 with production settings, logs the users in, then runs a closed loop
(no think time unless LOAD_THINK_MS) for LOAD_SECONDS. Traffic goes to loopback
only and stops by itself. Exit status 1 on any error.

Env: LOAD_USERS (50), LOAD_SECONDS (120), LOAD_CLAIMS (5000), LOAD_WORKERS (4),
LOAD_PORT (8765), LOAD_THINK_MS (0), REDIS_URL (optional cache).
"""

from __future__ import annotations

import http.client
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PASSWORD = "load-test-password-1"  # noqa: S105 - scratch database only


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(page, []).append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


def server_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        ADMIN_REQUIRE_2FA="false",
        DJANGO_SETTINGS_MODULE="recouvrement.settings",
    )
    env.setdefault("VAR_DIR", str(ROOT / "var" / "load"))
    return env


def recreate_database(database_url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(database_url)
    name = cfg["NAME"]
    if "load" not in name and "bench" not in name:
        sys.exit(
            f"Refusing to drop {name!r}: the scratch database name must contain 'load'"
        )
    with psycopg.connect(
        host=cfg["HOST"] or HOST,
        port=cfg["PORT"] or 5432,
        user=cfg["USER"] or "",
        password=cfg["PASSWORD"] or "",
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(n_claims: int, n_users: int) -> list[str]:
    """Bulk-insert one creditor, its users, debtors, claims, invoices, payments, events."""
    import datetime as dt
    from decimal import Decimal

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from claims import models as m

    call_command("migrate", verbosity=0)
    creditor = m.Creditor.objects.create(
        legal_name="Charge SRL",
        enterprise_number="0403170701",
        iban="BE68539007547034",
        bic="GKCCBEBB",
        email="compta@charge.test",
    )
    user_model = get_user_model()
    template = user_model(username="load0")
    template.set_password(PASSWORD)  # hash once, reuse for every user
    users = user_model.objects.bulk_create(
        [
            user_model(username=f"load{i}", password=template.password)
            for i in range(n_users)
        ]
    )
    m.Membership.objects.bulk_create(
        [m.Membership(user=u, creditor=creditor, role="owner") for u in users]
    )
    rnd = random.Random(42)
    debtors = m.Debtor.objects.bulk_create(
        [
            m.Debtor(
                creditor=creditor,
                name=f"Client {i:05d} SA",
                email=f"c{i}@client.test",
                city="Liège",
                postal_code="4000",
            )
            for i in range(max(1, n_claims // 5))
        ]
    )
    base = dt.date(2026, 1, 1)
    claims = []
    for i in range(n_claims):
        amount = Decimal(rnd.randrange(5000, 500000)) / 100
        due = base + dt.timedelta(days=rnd.randrange(0, 300))
        closed = i % 4 == 0
        claims.append(
            m.Claim(
                creditor=creditor,
                debtor=debtors[i % len(debtors)],
                reference=f"L-{i:06d}",
                status="closed" if closed else "open",
                stage=rnd.choice(["amicable", "formal_notice", "judicial"]),
                principal=amount,
                paid=amount if closed else Decimal("0.00"),
                balance=Decimal("0.00") if closed else amount,
                oldest_due_date=due,
            )
        )
    claims = m.Claim.objects.bulk_create(claims, batch_size=1000)
    m.Invoice.objects.bulk_create(
        [
            m.Invoice(
                creditor=creditor,
                claim=c,
                number=f"F-{c.reference}",
                issue_date=c.oldest_due_date - dt.timedelta(days=30),
                due_date=c.oldest_due_date,
                amount=c.principal,
            )
            for c in claims
        ],
        batch_size=1000,
    )
    m.Payment.objects.bulk_create(
        [
            m.Payment(
                creditor=creditor, claim=c, date=c.oldest_due_date, amount=c.principal
            )
            for c in claims
            if c.status == "closed"
        ],
        batch_size=1000,
    )
    m.Event.objects.bulk_create(
        [
            m.Event(
                creditor=creditor,
                claim=c,
                kind=kind,
                message=message,
                actor_label="système",
            )
            for c in claims
            for kind, message in (("created", "Créance ouverte"), ("note", "Relance"))
        ],
        batch_size=2000,
    )
    return [str(c.code) for c in claims[: min(len(claims), 500)]]


class Client:
    """One virtual user: a keep-alive-if-possible connection and its cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, str]:
        headers = {"Host": HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (ConnectionError, http.client.RemoteDisconnected):
                self.conn.close()  # the server closed an idle connection: reopen once
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: HTTP {status}")
        body = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": PASSWORD,
            }
        )
        status, _ = self.request("POST", "/accounts/login/", body)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username}: HTTP {status}")


def run_user(
    client: Client,
    codes: list[str],
    deadline: float,
    stats: Stats,
    think: float,
    seed_: int,
) -> None:
    rnd = random.Random(seed_)
    pages = [("dashboard", "/"), ("claims", "/claims/"), ("claim", None)]
    while time.monotonic() < deadline:
        for name, path in pages:
            if time.monotonic() >= deadline:
                return
            url = path or f"/claims/{rnd.choice(codes)}/"
            if name == "claims" and rnd.random() < 0.5:
                url = f"/claims/?page={rnd.randrange(1, 40)}"
            start = time.perf_counter()
            try:
                status, _ = client.request("GET", url)
            except Exception as exc:
                stats.error(f"{url}: {exc!r}")
                continue
            elapsed = time.perf_counter() - start
            if status != 200:
                stats.error(f"{url}: HTTP {status}")
            else:
                stats.add(name, elapsed)
            if think:
                time.sleep(think)


def wait_for_server(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            sys.exit("gunicorn exited early")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/accounts/login/", headers={"Host": HOST})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    sys.exit("gunicorn did not answer in time")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(stats: Stats, seconds: float) -> int:
    everything = [v for values in stats.latencies.values() for v in values]
    total = len(everything) + len(stats.errors)
    print(
        f"requests={total} errors={len(stats.errors)} duration={seconds:.1f}s "
        f"throughput={total / seconds:.1f} req/s"
    )
    for name, values in [*sorted(stats.latencies.items()), ("all", everything)]:
        if values:
            print(
                f"  {name:<10} n={len(values):<6} median={statistics.median(values) * 1000:7.1f} ms"
                f"  p95={percentile(values, 0.95) * 1000:7.1f} ms"
                f"  max={max(values) * 1000:7.1f} ms"
            )
    for message in stats.errors[:10]:
        print("  error:", message)
    return 1 if stats.errors or not everything else 0


def main() -> int:
    database_url = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rec_load"
    )
    users = _int("LOAD_USERS", 50)
    seconds = _int("LOAD_SECONDS", 120)
    port = _int("LOAD_PORT", 8765)
    env = server_env(database_url)
    os.environ.update(env)
    Path(env["VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    recreate_database(database_url)
    started = time.monotonic()
    codes = seed(_int("LOAD_CLAIMS", 5000), users)
    print(f"seeded in {time.monotonic() - started:.1f}s")
    from django.db import connections

    connections.close_all()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "recouvrement.wsgi",
            "--workers",
            str(_int("LOAD_WORKERS", 4)),
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_server(port, proc)
        clients = [Client(port) for _ in range(users)]
        for i, client in enumerate(clients):
            client.login(f"load{i}")
        print(f"{users} users logged in; running {seconds}s")
        stats = Stats()
        begin = time.monotonic()
        deadline = begin + seconds
        think = _int("LOAD_THINK_MS", 0) / 1000
        threads = [
            threading.Thread(
                target=run_user, args=(c, codes, deadline, stats, think, i)
            )
            for i, c in enumerate(clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + 120)
        return report(stats, time.monotonic() - begin)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
