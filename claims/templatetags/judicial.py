"""``{% judicial_track claim as track %}``: the claim page's judicial track.

A tag, so that the claim page needs one include line and no view change.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from claims.judicial.selectors import judicial_track as _track
from claims.web.forms_judicial import StepForm

register = template.Library()


@register.simple_tag
def judicial_track(claim: Any) -> Any:
    track = _track(claim=claim, today=timezone.localdate())
    if track is not None:
        track.form = StepForm(initial={"on": timezone.localdate()})  # type: ignore[attr-defined]
    return track
