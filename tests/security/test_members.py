"""Membership management: owner role, invitations the invitee accepts, the
creditor a user lands in (issue "security second pass", medium)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from claims.models import AuditEntry
from claims.models import Invitation
from claims.models import Membership
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(cast):
    return f.MembershipFactory(
        user=f.UserFactory(username="maud"), creditor=cast.creditor, role="manager"
    )


def _role(client, membership, role):
    return client.post(
        reverse("claims:member_role", args=[membership.pk]), {"role": role}
    )


def _owner_membership(cast):
    return Membership.objects.get(user=cast.owner, creditor=cast.creditor)


def test_a_manager_cannot_make_itself_owner_nor_demote_owners(client, cast, manager):
    client.force_login(manager.user)
    _role(client, manager, "owner")
    manager.refresh_from_db()
    assert manager.role == "manager"
    owner = _owner_membership(cast)
    _role(client, owner, "agent")
    owner.refresh_from_db()
    assert owner.role == "owner"
    # What a manager may do, it does.
    bob = Membership.objects.get(user=cast.colleague, creditor=cast.creditor)
    _role(client, bob, "readonly")
    bob.refresh_from_db()
    assert bob.role == "readonly"


def test_an_owner_grants_the_role_but_never_removes_the_last_owner(
    client, cast, manager
):
    client.force_login(cast.owner)
    owner = _owner_membership(cast)
    _role(client, owner, "manager")
    owner.refresh_from_db()
    assert owner.role == "owner"
    _role(client, manager, "owner")
    manager.refresh_from_db()
    assert manager.role == "owner"
    assert AuditEntry.objects.filter(kind="member_role").count() == 1
    _role(client, owner, "manager")  # another owner remains: allowed
    owner.refresh_from_db()
    assert owner.role == "manager"


def _invite(client, email, role="agent"):
    return client.post(
        reverse("claims:settings_members"), {"email": email, "role": role}, follow=True
    )


def test_inviting_an_existing_account_attaches_nothing_until_accepted(
    client, cast
):
    stranger = f.UserFactory(username="zoe", email="zoe@example.test")
    client.force_login(cast.owner)
    known = _invite(client, "zoe@example.test").content.decode()
    unknown = _invite(client, "nobody@example.test").content.decode()
    # The same answer whatever the address.
    said = [
        re.search(r"Invitation envoyée à (\S+) : ([^<]*)", page).groups()
        for page in (known, unknown)
    ]
    assert said[0][1] == said[1][1]
    assert not Membership.objects.filter(user=stranger, creditor=cast.creditor).exists()
    assert len(mail.outbox) == 2
    link = re.search(r"http\S+/invitation/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    other = type(client)()
    other.force_login(stranger)
    page = other.get("/" + path)
    assert page.status_code == 200
    assert "Accepter" in page.content.decode()
    other.post("/" + path, {"accept": "1"})
    membership = Membership.objects.get(user=stranger, creditor=cast.creditor)
    assert membership.role == "agent"
    # Used once: the second visit is refused like an unknown link.
    assert other.get("/" + path).status_code == 404
    assert other.get("/accounts/invitation/forged-token/").status_code == 404


def test_an_invitee_without_an_account_creates_one(client, cast):
    client.force_login(cast.owner)
    _invite(client, "new@example.test", role="readonly")
    link = re.search(r"/accounts/invitation/\S+/", mail.outbox[0].body).group(0)
    visitor = type(client)()
    response = visitor.post(
        link,
        {
            "create": "1",
            "username": "newbie",
            "password1": "Une-phrase-de-passe-longue-42",
            "password2": "Une-phrase-de-passe-longue-42",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="newbie")
    assert (membership.creditor, membership.role) == (cast.creditor, "readonly")
    assert membership.user.email == "new@example.test"
    assert Invitation.objects.get().accepted_by == membership.user


def test_only_an_owner_invites_an_owner(client, cast, manager):
    client.force_login(manager.user)
    _invite(client, "boss@example.test", role="owner")
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_login_lands_on_the_creditor_used_last_not_the_alphabetical_first(
    client, cast
):
    aaa = f.CreditorFactory(legal_name="AAA Capture SA")
    f.MembershipFactory(user=cast.owner, creditor=aaa, role="owner")
    client.force_login(cast.owner)
    client.post(reverse("claims:switch_creditor"), {"creditor": str(cast.creditor.code)})
    client.logout()
    client.force_login(cast.owner)
    page = client.get(reverse("claims:dashboard")).content.decode()
    assert cast.creditor.legal_name in page or (
        cast.creditor.trade_name and cast.creditor.trade_name in page
    )
    from claims.security.access import current_membership

    request = client.get(reverse("claims:dashboard")).wsgi_request
    assert current_membership(request).creditor_id == cast.creditor.pk
