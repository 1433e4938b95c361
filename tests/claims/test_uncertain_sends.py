"""The owner settles uncertain sends: listed where decisions are made, confirm or
resend behind a POST confirmation, tenant-scoped, refused to read-only members."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.models import Action
from claims.models import Event
from tests import factories as f
from tests.claims.engine_fixtures import open_claim

pytestmark = pytest.mark.usefixtures("engine_seed")
TEXT = "Envoi incertain : le serveur de messagerie a peut-être reçu ce message."


@pytest.fixture
def uncertain(cast):
    claim = open_claim(
        cast.creditor,
        f.DebtorFactory(creditor=cast.creditor),
        due=timezone.localdate() - timedelta(days=10),
    )
    action = claim.actions.order_by("step__position").first()
    Action.objects.filter(pk=action.pk).update(
        state="uncertain",
        attempts=1,
        started_at=timezone.now(),
        message_id="<rec-1-1-a1@example.test>",
        reason="Envoi incertain",
    )
    action.refresh_from_db()
    return action


def _url(action, decision):
    return reverse(
        "claims:claim_uncertain", kwargs={"code": action.code, "decision": decision}
    )


def test_the_owner_sees_it_on_the_dashboard_and_the_claim(client, cast, uncertain):
    client.force_login(cast.owner)
    page = client.get(reverse("claims:dashboard")).content.decode()
    assert "1 envoi incertain : confirmer ou renvoyer" in page
    assert TEXT in page
    assert _url(uncertain, "confirm") in page
    claim_page = client.get(uncertain.claim.get_absolute_url()).content.decode()
    assert TEXT in claim_page
    assert _url(uncertain, "resend") in claim_page
    assert "rec-1-1-a1@example.test" in claim_page


def test_confirm_marks_it_done_with_the_usual_fields_and_an_event(
    client, cast, uncertain
):
    client.force_login(cast.owner)
    assert client.get(_url(uncertain, "confirm")).status_code == 200
    uncertain.refresh_from_db()
    assert uncertain.state == "uncertain"  # a GET changes nothing
    response = client.post(_url(uncertain, "confirm"))
    assert response.status_code == 302
    uncertain.refresh_from_db()
    assert uncertain.state == "done"
    claim = uncertain.claim
    claim.refresh_from_db()
    assert claim.last_contact_on == timezone.localdate()
    assert claim.events.filter(kind="action_done", actor=cast.owner).count() == 1
    assert claim.events.filter(kind="action_uncertain", actor=cast.owner).exists()
    again = client.post(_url(uncertain, "confirm"))
    assert again.status_code == 400
    assert "déjà été traité" in again.content.decode()


def test_resend_plans_it_again_with_an_event(client, cast, uncertain):
    client.force_login(cast.colleague)
    assert client.post(_url(uncertain, "resend")).status_code == 302
    uncertain.refresh_from_db()
    assert uncertain.state == "planned"
    ev = Event.objects.get(claim=uncertain.claim, kind="action_uncertain")
    assert ev.actor == cast.colleague
    assert ev.data["previous_message_id"] == "<rec-1-1-a1@example.test>"


def test_read_only_members_cannot_decide(client, cast, uncertain):
    client.force_login(cast.readonly)
    page = client.get(uncertain.claim.get_absolute_url()).content.decode()
    assert TEXT in page
    assert _url(uncertain, "confirm") not in page
    for decision in ("confirm", "resend"):
        assert client.post(_url(uncertain, decision)).status_code == 403
    uncertain.refresh_from_db()
    assert uncertain.state == "uncertain"


def test_another_creditor_gets_404(client, cast, uncertain):
    client.force_login(cast.outsider)
    for decision in ("confirm", "resend"):
        assert client.get(_url(uncertain, decision)).status_code == 404
        assert client.post(_url(uncertain, decision)).status_code == 404
    uncertain.refresh_from_db()
    assert uncertain.state == "uncertain"
    page = client.get(reverse("claims:dashboard")).content.decode()
    assert TEXT not in page


def test_an_unknown_action_or_decision_is_404(client, cast, uncertain):
    client.force_login(cast.owner)
    planned = Action.objects.filter(state="planned").first()
    assert client.post(_url(planned, "confirm")).status_code == 400  # not uncertain
    url = reverse(
        "claims:claim_uncertain",
        kwargs={"code": cast.creditor.code, "decision": "confirm"},
    )
    assert client.post(url).status_code == 404
    assert client.post(_url(uncertain, "forget")).status_code == 404
    uncertain.refresh_from_db()
    assert uncertain.state == "uncertain"
