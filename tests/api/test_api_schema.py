"""The OpenAPI schema: served, committed, browsable, and fuzzed by schemathesis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings as hsettings

pytestmark = pytest.mark.django_db

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def test_the_committed_schema_is_the_served_one(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    served = r.json()
    assert served["openapi"].startswith("3.")
    assert json.loads(COMMITTED.read_text()) == served, (
        "docs/openapi.json is stale: run `python manage.py export_openapi_schema "
        "--api recouvrement.api.api --indent 2 --sorted --output docs/openapi.json`"
    )


def test_the_reference_page_uses_local_assets_only(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html.split("<body", 1)[0]


def test_every_operation_documents_problem_answers():
    from recouvrement.api import api

    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert {"404", "422"} <= {str(k) for k in op["responses"]} or "4XX" in str(
                op["responses"]
            ), (method, path)
            assert op.get("security"), (method, path)


@pytest.fixture
def fuzzed_schema(db):
    """The API through its WSGI handler, inside the test's transaction (the
    handler must not close the test's connection at the end of each request)."""
    import schemathesis
    from django.core.signals import request_finished
    from django.core.signals import request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json", get_wsgi_application()
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@override_settings(API_RATE_LIMIT=(1_000_000, 60))
def test_schemathesis_finds_no_server_error_nor_off_schema_answer(
    fuzzed_schema, api, claim
):
    """Generated requests on every operation (valid and invalid bodies, random
    ids): no 500, and every answer matches the documented schema."""

    headers = {"Authorization": f"Bearer {api.raw}"}
    operations = [op.ok() for op in fuzzed_schema.get_all_operations()]
    assert len(operations) >= 15
    calls: list[str] = []
    failures: list[tuple[str, str]] = []
    for operation in operations:
        _fuzz(operation, headers, calls, failures)
    assert failures == []
    # Every operation was exercised (a broken strategy would pass silently).
    assert {op.label for op in operations} == set(calls)


def _fuzz(operation, headers, calls, failures):
    from hypothesis.errors import HypothesisException
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import content_type_conformance
    from schemathesis.specs.openapi.checks import response_schema_conformance

    @given(case=operation.as_strategy())
    @hsettings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        calls.append(operation.label)
        case.call_and_validate(
            headers=headers,
            checks=[
                not_a_server_error,
                response_schema_conformance,
                content_type_conformance,
            ],
        )

    try:
        run()
    except HypothesisException:
        raise
    except Exception as exc:  # a check failed: gathered, reported at the end
        failures.append((operation.label, repr(exc)[:800]))
