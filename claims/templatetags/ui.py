"""Small template helpers of the browser pages."""

from __future__ import annotations

from typing import Any

from django import template

from claims.models import Membership

register = template.Library()


@register.simple_tag(takes_context=True)
def other_memberships(context: dict[str, Any]) -> list[Membership]:
    """The user's other creditors, for the switcher (1 query, only when shown)."""
    request = context.get("request")
    current = context.get("membership")
    if request is None or current is None or not request.user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user_id=request.user.pk)
        .exclude(pk=current.pk)
        .select_related("creditor")
        .order_by("creditor__legal_name")
    )


@register.simple_tag
def optional_url(name: str) -> str:
    """The URL of a page another area provides, or "" while it is not merged."""
    from django.urls import NoReverseMatch
    from django.urls import reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
