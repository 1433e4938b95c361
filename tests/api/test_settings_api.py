"""Settings → API: owners create tokens (shown once) and revoke them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import ApiToken
from claims.models import AuditEntry
from tests.api.conftest import make_api

pytestmark = pytest.mark.django_db

URL = "/settings/api/"


def test_it_creates_a_token_shown_once(client, cast):
    client.force_login(cast.owner)
    r = client.post(URL, {"action": "token_create", "name": "Odoo", "scope": "write"})
    assert r.status_code == 200
    token = ApiToken.objects.get(creditor=cast.creditor)
    raw = r.context["new_token"]
    assert raw.startswith(token.prefix)
    assert raw.encode() in r.content
    assert token.scope == "write"
    assert token.created_by == cast.owner
    # Never shown again.
    assert raw.encode() not in client.get(URL).content
    assert AuditEntry.objects.filter(
        kind=AuditEntry.Kind.API_TOKEN, creditor=cast.creditor
    ).exists()


@pytest.mark.parametrize("who", ["colleague", "readonly"])
def test_only_an_owner_creates_or_revokes(client, cast, who):
    api = make_api(cast.creditor, cast.owner)
    client.force_login(getattr(cast, who))
    assert client.get(URL).status_code == 200
    r = client.post(URL, {"action": "token_create", "name": "X", "scope": "read"})
    assert r.status_code == 403
    url = reverse("claims:api_token_revoke", args=[api.token.code])
    assert client.post(url).status_code == 403
    assert ApiToken.objects.filter(creditor=cast.creditor).count() == 1


def test_it_revokes_a_token_which_then_answers_401(client, cast):
    api = make_api(cast.creditor, cast.owner)
    assert api.get("/claims").status_code == 200
    client.force_login(cast.owner)
    r = client.post(reverse("claims:api_token_revoke", args=[api.token.code]))
    assert r.status_code == 302
    assert api.get("/claims").status_code == 401


def test_another_creditors_owner_cannot_revoke(client, cast):
    api = make_api(cast.creditor, cast.owner)
    client.force_login(cast.outsider)
    r = client.post(reverse("claims:api_token_revoke", args=[api.token.code]))
    assert r.status_code == 404
    assert api.get("/claims").status_code == 200
