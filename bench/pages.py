"""Path 5: server time of the dashboard, claims list and claim workspace.

Django's test client, logged in (``force_login``) as the demo owner of the
shared dataset; after a warm-up, the median of ``RUNS`` requests per page and
its query count (``CaptureQueriesContext``). Floor: a minimal view running
``SELECT 1``, served through the same middleware stack by the bench-only
urlconf ``bench._urls``. Targets: dashboard <= 150 ms, lists (pages and API) <= 60 ms; the query
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


def _api_client(user) -> tuple[Client, str]:
    """A client with a fresh API token of the demo owner's first creditor, and
    a cursor deep in its claims (the last page: the worst case)."""
    from claims.api.pagination import _encode
    from claims.models import ApiToken
    from claims.models import Claim
    from claims.models import Membership

    membership = (
        Membership.objects.filter(user=user).order_by("creditor__legal_name").first()
    )  # the same creditor as the pages (_claim_code)
    _token, raw = ApiToken.issue(
        creditor_id=membership.creditor_id, name="bench", created_by=user
    )
    pks = Claim.objects.filter(creditor_id=membership.creditor_id).order_by("pk")
    deep = pks.values_list("pk", flat=True)[50:51].first() or 1
    return Client(headers={"authorization": f"Bearer {raw}"}), _encode(deep)


def run(n_claims: int) -> list[dict]:
    data = _data.dataset(n_claims)
    from claims.security.access import SESSION_KEY

    user, code, creditor_id = _claim_code()
    client = Client()
    client.force_login(user)
    session = client.session  # act for the creditor the claim belongs to
    session[SESSION_KEY] = creditor_id
    session.save()
    api, deep = _api_client(user)
    pages = [
        ("dashboard /", "/", 0.150, client),
        ("claims list /claims/", "/claims/", 0.060, client),
        ("claims list, last page", "/claims/?page=last", 0.060, client),
        ("claim workspace /claims/<code>/", f"/claims/{code}/", None, client),
        (
            "amicable or judicial /amiable-ou-judiciaire/",
            "/amiable-ou-judiciaire/",
            None,
            client,
        ),
        ("API /api/v1/claims", "/api/v1/claims?limit=50", 0.060, api),
        ("API claims, last page", f"/api/v1/claims?limit=50&cursor={deep}", 0.060, api),
        ("API /api/v1/debtors", "/api/v1/debtors?limit=50", 0.060, api),
    ]
    rows = []
    with override_settings(ROOT_URLCONF="bench._urls", API_RATE_LIMIT=(1_000_000, 60)):
        floor, floor_queries, _ = _measure(client, "/__bench_floor__/")
        for label, url, target, who in pages:
            median, n_queries, runs = _measure(who, url)
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
