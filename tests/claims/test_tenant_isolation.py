"""A member of creditor A gets 404 on anything of creditor B, on every page.

The pages are enumerated from ``claims.urls.urlpatterns``: a new page taking a
``code`` is covered the day it is added. The candidate objects are every row of
creditor B that has a UUID ``code`` (claims and letters models alike).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import reverse

from claims import urls as claims_urls
from claims.ledger.services import InvoiceData
from claims.ledger.services import invoice_add
from claims.ledger.services import payment_record
from claims.ledger.services import waiver_record
from claims.models import Action
from claims.models import ApiToken
from claims.models import Dispute
from claims.models import JudicialCase
from claims.models import JudicialStep
from claims.models import PaymentPlan
from claims.models import Scenario
from claims.models import ScenarioStep
from claims.models import WebhookEndpoint
from tests import factories as f


def _patterns(patterns, prefix=""):
    """(name, route converters) of every named pattern, includes flattened."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else prefix
            yield from _patterns(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name, p.pattern.converters


CODE_PAGES = [
    (f"claims:{name}", converters)
    for name, converters in _patterns(claims_urls.urlpatterns)
    if "code" in converters
]


def _kwargs(converters, code, name=""):
    values = {}
    for key, converter in converters.items():
        kind = type(converter).__name__
        if kind == "UUIDConverter":
            values[key] = code
        elif kind == "IntConverter":
            values[key] = 1
        else:
            values[key] = _slug(name, key)
    return values


def _slug(name, key):
    from claims.web.views.actions import ENGINE_ACTIONS
    from claims.web.views.actions import LETTER_URLS

    if name == "claims:claim_letter":
        return next(iter(LETTER_URLS))
    if name == "claims:claim_engine_action":
        return next(iter(ENGINE_ACTIONS))
    if name == "claims:claim_uncertain":
        return "confirm"
    return "x"


def _codes_of(creditor):
    """Every UUID ``code`` belonging to ``creditor`` in the claims and letters apps."""
    codes = []
    for model in [*apps.get_app_config("claims").get_models(), *apps.get_app_config("letters").get_models()]:  # fmt: skip
        names = {fld.name for fld in model._meta.get_fields()}
        if "code" not in names:
            continue
        if model._meta.label == "claims.Creditor":
            rows = model.objects.filter(pk=creditor.pk)
        elif "creditor" in names:
            rows = model._default_manager.filter(creditor=creditor)
        else:
            continue
        codes += [(model.__name__, c) for c in rows.values_list("code", flat=True)]
    return codes


@pytest.fixture
def book_b(cast):
    """Creditor B (charlie's) with a row of every kind a page may show."""
    b = cast.other_creditor
    claim = f.ClaimFactory(creditor=b)
    payment_record(claim=claim, amount=Decimal("10.00"), on=dt.date(2026, 3, 1))
    Dispute.objects.create(creditor=b, claim=claim, reason="Marchandise abîmée")
    PaymentPlan.objects.create(creditor=b, claim=claim)
    invoice_add(
        claim=claim,
        data=InvoiceData(
            number="NC-B",
            issue_date=dt.date(2026, 2, 1),
            due_date=dt.date(2026, 2, 1),
            amount=Decimal("5.00"),
            kind="credit_note",
        ),
    )
    waiver_record(claim=claim, kind="costs", amount=None, reason="geste")
    scenario = Scenario.objects.create(
        creditor=b, name="B2B FR", country="FR", debtor_kind="business"
    )
    step = ScenarioStep.objects.create(
        scenario=scenario, position=1, kind="reminder", offset_days=7, template="r1"
    )
    Action.objects.create(
        creditor=b,
        claim=claim,
        debtor=claim.debtor,
        step=step,
        due_on=claim.oldest_due_date,
        state="uncertain",  # a send the owner must settle (claim_uncertain)
    )
    case = JudicialCase.objects.create(creditor=b, claim=claim, route="fr_injonction")
    step_b = JudicialStep(creditor=b, case=case, kind="served", on=dt.date(2026, 3, 2))
    step_b.document.save("b.pdf", ContentFile(b"%PDF-1.4 B"), save=True)
    ApiToken.issue(creditor=b, name="B", created_by=cast.outsider)
    WebhookEndpoint.objects.create(creditor=b, url="https://b.test/hook", secret="s")
    return _codes_of(b)


def _status(client, name, converters, code):
    url = reverse(name, kwargs=_kwargs(converters, code, name))
    response = client.get(url)
    if response.status_code == 405:  # a POST-only action
        response = client.post(url)
    return response.status_code


def test_there_are_pages_with_a_code():
    assert CODE_PAGES, "claims.urls has no page taking a code?"


@pytest.mark.parametrize(
    ("name", "converters"), CODE_PAGES, ids=[n for n, _ in CODE_PAGES]
)
def test_a_member_of_a_gets_404_on_every_object_of_b(
    client, cast, book_b, name, converters
):
    client.force_login(cast.owner)  # alice owns creditor A only
    leaks = [
        (model, str(code), status)
        for model, code in book_b
        if (status := _status(client, name, converters, code)) != 404
    ]
    assert leaks == [], f"{name} answers non-404 for creditor B's objects"


@pytest.mark.parametrize(
    ("name", "converters"), CODE_PAGES, ids=[n for n, _ in CODE_PAGES]
)
def test_the_owner_of_b_reaches_the_page(client, cast, book_b, name, converters):
    """Control: the 404s above come from scoping, not from a missing object.
    If this fails for a new page, add a row of its model to ``book_b``."""
    client.force_login(cast.outsider)  # charlie owns creditor B
    statuses = {_status(client, name, converters, code) for _, code in book_b}
    assert statuses - {404}, f"{name} found none of creditor B's objects"


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, book_b):
    for name, converters in CODE_PAGES:
        _, code = book_b[0]
        response = client.get(reverse(name, kwargs=_kwargs(converters, code, name)))
        assert response.status_code in {302, 405}, name
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")
