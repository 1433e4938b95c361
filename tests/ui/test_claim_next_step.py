"""The claim page: one next step, one primary action, a menu of what applies;
actions that say what really happened; alerts that lead to their claims."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from claims.models import Action
from tests import factories as f
from tests.claims.engine_fixtures import open_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(cast, engine_seed):
    """A claim 20 days late: its first reminder is planned (the engine's plan)."""
    debtor = f.DebtorFactory(creditor=cast.creditor)
    return open_claim(
        cast.creditor, debtor, due=timezone.localdate() - timedelta(days=20)
    )


def _menu(response):
    return [str(a["label"]) for a in response.context["claim_actions"]["more"]]


def test_the_claim_page_shows_the_next_step_and_one_primary_action(client, cast, late):
    client.force_login(cast.owner)
    response = client.get(late.get_absolute_url())
    nxt = response.context["next_step"]
    planned = late.actions.filter(state="planned").order_by("due_on").first()
    assert nxt.pk == planned.pk
    html = response.content.decode()
    assert html.count('data-testid="primary-action"') == 1
    assert str(response.context["claim_actions"]["primary"]["label"]) == (
        "Enregistrer un paiement"
    )
    menu = _menu(response)
    assert f"Envoyer maintenant : {planned.step.get_kind_display()}" in menu
    assert "Enregistrer une contestation" in menu
    # No dispute, so nothing to close; no vague synonyms of "send".
    assert "Clore la contestation" not in html
    assert "Trancher la contestation" not in menu
    assert "Passer à l'étape suivante (escalade)" not in html
    assert "C'est fait" not in html


def test_a_disputed_claim_offers_to_settle_the_dispute_not_to_send(client, cast, late):
    from claims.engine.collection import dispute_open

    dispute_open(claim_id=late.pk, reason="marchandise abîmée", actor=None)
    client.force_login(cast.owner)
    response = client.get(late.get_absolute_url())
    primary = response.context["claim_actions"]["primary"]
    assert str(primary["label"]) == "Trancher la contestation"
    menu = _menu(response)
    assert not any(m.startswith("Envoyer maintenant") for m in menu)
    assert "Enregistrer une contestation" not in menu
    assert "Suspendue : créance contestée" in response.content.decode()


def test_a_read_only_member_sees_no_write_action_and_a_clear_refusal(
    client, cast, late
):
    client.force_login(cast.readonly)
    response = client.get(late.get_absolute_url())
    assert response.context["claim_actions"] == {"primary": None, "more": []}
    html = response.content.decode()
    assert 'data-testid="primary-action"' not in html
    assert reverse("claims:claim_payment", kwargs={"code": late.code}) not in html
    refused = client.post(
        reverse("claims:claim_payment", kwargs={"code": late.code}),
        {"amount": "10", "on": timezone.localdate().isoformat(), "method": "transfer"},
    )
    assert refused.status_code == 403
    assert "Votre rôle permet de consulter" in refused.content.decode()
    assert late.payments.count() == 0


def test_send_now_on_a_disputed_claim_says_nothing_left(client, cast, late, deliverer):
    from claims.engine.collection import dispute_open

    dispute_open(claim_id=late.pk, reason="facture contestée", actor=None)
    client.force_login(cast.owner)
    url = reverse(
        "claims:claim_engine_action", kwargs={"code": late.code, "key": "send_next"}
    )
    response = client.post(url, {"reason": ""})
    assert response.status_code == 302
    texts = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert texts == [("warning", "Rien n'est parti : En attente : créance contestée")]
    assert not deliverer.deliveries


def test_send_now_says_sent_only_when_it_left(client, cast, late, deliverer):
    import time_machine

    from tests.claims.engine_fixtures import at

    client.force_login(cast.owner)
    url = reverse(
        "claims:claim_engine_action", kwargs={"code": late.code, "key": "send_next"}
    )
    from claims.law.calendar import next_working_day

    weekday = next_working_day(timezone.localdate() + timedelta(days=1))
    with time_machine.travel(at(weekday), tick=False):
        response = client.post(url, {"reason": ""})
    texts = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert texts == [("success", "Envoyé : le message est parti au débiteur.")]
    assert len(deliverer.deliveries) == 1
    assert late.actions.filter(state=Action.State.DONE).count() == 1


def test_send_now_speaks_the_user_s_language(client, cast, late, deliverer):
    from claims.engine.collection import dispute_open

    dispute_open(claim_id=late.pk, reason="x", actor=None)
    client.force_login(cast.owner)
    client.cookies["django_language"] = "en"
    url = reverse(
        "claims:claim_engine_action", kwargs={"code": late.code, "key": "send_next"}
    )
    response = client.post(url, {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Nothing was sent:"), message


def test_the_time_barred_alert_opens_the_claims_it_counts(client, cast, engine_seed):
    today = timezone.localdate()
    debtor = f.DebtorFactory(creditor=cast.creditor)  # BE business: 10 years
    old = open_claim(
        cast.creditor,
        debtor,
        due=today.replace(year=today.year - 10) + timedelta(days=30),
    )
    recent = open_claim(cast.creditor, debtor, due=today - timedelta(days=40), n=2)
    client.force_login(cast.owner)
    dashboard = client.get(reverse("claims:dashboard"))
    assert dashboard.context["decisions"]["prescription"] == 1
    link = reverse("claims:claim_list") + "?alert=prescription"
    assert f'href="{link}"' in dashboard.content.decode()
    listed = client.get(link)
    shown = {c.pk for c in listed.context["page"].object_list}
    assert shown == {old.pk}
    assert recent.pk not in shown


def test_every_login_lands_on_the_creditor_used_last(client, cast):
    both = cast.owner
    f.MembershipFactory(user=both, creditor=cast.other_creditor, role="owner")
    client.force_login(both)
    client.post(
        reverse("claims:switch_creditor"), {"creditor": cast.other_creditor.code}
    )
    client.logout()
    client.force_login(both)
    page = client.get(reverse("claims:dashboard"))
    assert page.context["membership"].creditor == cast.other_creditor
    assert 'data-testid="creditor-switcher"' in page.content.decode()
    assert str(cast.other_creditor) in page.content.decode()


def test_import_and_route_pages_keep_the_whole_menu(client, cast, late):
    client.force_login(cast.owner)
    settings_url = reverse("claims:settings")
    for url in (
        reverse("claims:csv_import"),
        reverse("claims:exports"),
        reverse("claims:claim_routes", kwargs={"code": late.code}),
        reverse("claims:dashboard"),
    ):
        html = client.get(url).content.decode()
        assert f'href="{settings_url}"' in html, url
        assert str(cast.creditor) in html, url


def test_route_advice_names_conditions_in_words_and_ids_are_unique(client, cast, late):
    import re

    client.force_login(cast.owner)
    html = client.get(
        reverse("claims:claim_routes", kwargs={"code": late.code})
    ).content.decode()
    for emoji in ("✅", "❌", "❔"):
        assert emoji not in html
    assert "remplie" in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
