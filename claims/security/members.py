"""Who belongs to a creditor: invitations the invitee accepts, roles, last creditor.

Rules (issue "security second pass"):
- only an owner grants or takes away the owner role, and never from the last owner;
- adding someone sends an invitation to the address; nothing is attached to an
  existing account until its holder accepts, and the answer is the same whether
  the address has an account or not;
- the creditor a user lands in is the one the user chose last.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import AuditEntry
from claims.models import Invitation
from claims.models import Membership
from claims.models.choices import Role

from .audit import audit_record

INVITATION_DAYS = 7


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _may_touch_owner_role(actor: Membership) -> None:
    if actor.role != Role.OWNER:
        raise PermissionDenied(
            _("Seul un propriétaire peut donner ou retirer ce rôle.")
        )


def member_invite(
    *, actor: Membership, email: str, role: str, request: Any = None
) -> Invitation:
    """Create an invitation and e-mail its link (shown to nobody else).

    The same for any address: whether it has an account is never told.
    """
    if not actor.can_manage:
        raise PermissionDenied
    if role == Role.OWNER:
        _may_touch_owner_role(actor)
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        creditor_id=actor.creditor_id,
        email=email.strip(),
        role=role,
        token_hash=_hash(raw),
        invited_by_id=actor.user_id,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    link = settings.SITE_URL + reverse("invitation_accept", kwargs={"token": raw})
    context = {
        "creditor": actor.creditor,
        "role": invitation.get_role_display(),
        "link": link,
        "days": INVITATION_DAYS,
        "inviter": actor.user.get_full_name() or actor.user.get_username(),
    }
    send_mail(
        subject=_("Invitation à rejoindre %(c)s sur Recouvrement")
        % {"c": actor.creditor},
        message=render_to_string("security/invitation_email.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    audit_record(
        kind=AuditEntry.Kind.MEMBER_INVITED,
        request=request,
        user=actor.user,
        creditor=actor.creditor_id,
        detail={"role": role, "invitation": invitation.pk},
    )
    return invitation


def invitation_by_token(raw: str) -> Invitation | None:
    """The open invitation behind a link, or None (unknown, used, expired, revoked)."""
    if not raw or len(raw) > 100:
        return None
    invitation = (
        Invitation.objects.select_related("creditor")
        .filter(token_hash=_hash(raw))
        .first()
    )
    return invitation if invitation is not None and invitation.is_open else None


@transaction.atomic
def invitation_accept(*, raw: str, user: Any, request: Any = None) -> Membership:
    """The invitee joins with the invited role (an existing membership keeps the
    higher of the two roles only if it was already an owner: never a demotion)."""
    invitation = invitation_by_token(raw)
    if invitation is None:
        raise ValidationError(_("Cette invitation n'est plus valable."))
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_open:
        raise ValidationError(_("Cette invitation n'est plus valable."))
    membership, created = Membership.objects.get_or_create(
        user=user, creditor_id=locked.creditor_id, defaults={"role": locked.role}
    )
    if not created and membership.role != Role.OWNER:
        membership.role = locked.role
        membership.save(update_fields=["role"])
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    membership_remember(membership)
    audit_record(
        kind=AuditEntry.Kind.MEMBER_JOINED,
        request=request,
        user=user,
        creditor=locked.creditor_id,
        detail={"role": membership.role, "invitation": locked.pk},
    )
    return membership


@transaction.atomic
def member_role_change(
    *, actor: Membership, target: Membership, role: str, request: Any = None
) -> None:
    """Change a member's role; PermissionDenied / ValidationError say why not."""
    if not actor.can_manage:
        raise PermissionDenied
    if Role.OWNER in (role, target.role) and role != target.role:
        _may_touch_owner_role(actor)
    owners = Membership.objects.select_for_update().filter(
        creditor_id=actor.creditor_id, role=Role.OWNER
    )
    if (
        target.role == Role.OWNER
        and role != Role.OWNER
        and not owners.exclude(pk=target.pk).exists()
    ):
        raise ValidationError(_("Il faut garder au moins un propriétaire."))
    before = target.role
    Membership.objects.filter(pk=target.pk).update(role=role)
    audit_record(
        kind=AuditEntry.Kind.MEMBER_ROLE,
        request=request,
        user=actor.user,
        creditor=actor.creditor_id,
        detail={"member": target.user_id, "before": before, "after": role},
    )


def membership_remember(membership: Membership) -> None:
    """The creditor the user works for now is the one the next login opens."""
    Membership.objects.filter(pk=membership.pk).update(last_used_at=timezone.now())
