"""``{{ event|event_text }}`` and ``{{ event.actor_label|actor }}``: a timeline
entry in the reader's language (claims.ledger.timeline)."""

from __future__ import annotations

from typing import Any

from django import template

from claims.ledger import timeline

register = template.Library()


@register.filter
def event_text(event: Any) -> str:
    return timeline.event_text(event)


@register.filter
def actor(label: str) -> str:
    return timeline.actor_text(label)
