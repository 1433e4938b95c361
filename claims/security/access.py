"""Who may see what: every lookup of a user-facing object goes through here.

A user acts for one creditor at a time (the one chosen in the switcher, kept in
the session). Objects of any other creditor answer 404, never 403, so that
their existence is not revealed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404

from claims.models import Claim
from claims.models import Debtor
from claims.models import Membership

if TYPE_CHECKING:
    from django.http import HttpRequest

SESSION_KEY = "creditor_id"


def current_membership(request: HttpRequest) -> Membership:
    """The membership the user is acting under; 404 when the user has none."""
    cached = getattr(request, "_membership", None)
    if cached is not None:
        return cached
    memberships = Membership.objects.filter(user_id=request.user.pk).select_related(
        "creditor"
    )
    wanted = request.session.get(SESSION_KEY)
    membership = None
    if wanted is not None:
        membership = memberships.filter(creditor_id=wanted).first()
    if membership is None:
        # The creditor chosen last (never the alphabetical first: a tenant
        # renamed "AAA…" must not capture the users of others).
        membership = memberships.order_by(
            F("last_used_at").desc(nulls_last=True), "created_at", "pk"
        ).first()
    if membership is None:
        raise Http404("No creditor for this user")
    request._membership = membership  # type: ignore[attr-defined]
    return membership


def require_write(request: HttpRequest) -> Membership:
    """The membership, refusing read-only users (they see no such buttons)."""
    membership = current_membership(request)
    if not membership.can_write:
        raise PermissionDenied
    return membership


def get_claim_for_user(request: HttpRequest, code: UUID) -> Claim:
    membership = current_membership(request)
    return get_object_or_404(
        Claim.objects.for_creditor(membership.creditor_id).select_related(
            "debtor", "creditor"
        ),
        code=code,
    )


def get_debtor_for_user(request: HttpRequest, code: UUID) -> Debtor:
    membership = current_membership(request)
    return get_object_or_404(
        Debtor.objects.for_creditor(membership.creditor_id), code=code
    )
