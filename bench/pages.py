"""Path 5: server time of the dashboard, claims list and claim workspace.

Django's test client, logged in (``force_login``) as the demo owner of the
shared dataset; after a warm-up, the median of ``RUNS`` requests per page and
its query count (``CaptureQueriesContext``). Floor: a minimal view running
``SELECT 1``, served through the same middleware stack by the bench-only
urlconf ``bench._urls``. Targets: dashboard <= 150 ms, list <= 60 ms; the query
counts must not grow with N.
"""

from __future__ import annotations

import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.test.utils import override_settings

from bench import _data

RUNS = 15
WARMUP = 3


def _measure(client: Client, url: str) -> tuple[float, int, list[float]]:
    for _ in range(WARMUP):
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"{url} answered {response.status_code}")
    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url)
        runs.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(runs), len(queries), runs


def _claim_code():
    """The busiest claim of the first creditor: the workspace's worst case."""
    from django.db.models import Count

    from claims.models import Claim
    from claims.models import Membership

    user = get_user_model().objects.get(username="demo")
    membership = (
        Membership.objects.filter(user=user)
        .order_by("creditor__legal_name")
        .select_related("creditor")
        .first()
    )
    claim = (
        Claim.objects.filter(creditor_id=membership.creditor_id)
        .annotate(n=Count("events"))
        .order_by("-n", "pk")
        .values_list("code", flat=True)
        .first()
    )
    return user, claim, membership.creditor_id


def run(n_claims: int) -> list[dict]:
    data = _data.dataset(n_claims)
    from claims.access import SESSION_KEY

    user, code, creditor_id = _claim_code()
    client = Client()
    client.force_login(user)
    session = client.session  # act for the creditor the claim belongs to
    session[SESSION_KEY] = creditor_id
    session.save()
    pages = [
        ("dashboard /", "/", 0.150),
        ("claims list /claims/", "/claims/", 0.060),
        ("claims list, last page", "/claims/?page=last", 0.060),
        ("claim workspace /claims/<code>/", f"/claims/{code}/", None),
        (
            "amicable or judicial /amiable-ou-judiciaire/",
            "/amiable-ou-judiciaire/",
            None,
        ),
    ]
    rows = []
    with override_settings(ROOT_URLCONF="bench._urls"):
        floor, floor_queries, _ = _measure(client, "/__bench_floor__/")
        for label, url, target in pages:
            median, n_queries, runs = _measure(client, url)
            row = {
                "measurement": f"page {label} ({n_queries} queries)",
                "key": f"page {label}",
                "median": median,
                "floor": floor,
                "queries": n_queries,
                "floor_queries": floor_queries,
                "runs": len(runs),
                "seeded_in": data.seeded_in,
            }
            if target is not None:
                row["target"] = f"<= {target * 1000:.0f} ms"
                row["met"] = median <= target
            rows.append(row)
    return rows
