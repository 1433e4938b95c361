"""The claim page's hand-off block: recipient choice and registered-mail proofs."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("letters/_handoff.html", takes_context=True)
def handoff_block(context: dict, claim: Any) -> dict:
    """Three queries whatever the claim: directory, registered letters, proofs."""
    from letters.handoff import HandoffFileForm
    from letters.handoff import ProofForm
    from letters.handoff import registered_documents
    from letters.models import PostalProof

    membership = context.get("membership")
    can_write = bool(membership and membership.can_write)
    letters = list(registered_documents(claim))
    return {
        "claim": claim,
        "can_write": can_write,
        "csrf_token": context.get("csrf_token"),
        "handoff_form": HandoffFileForm(creditor_id=claim.creditor_id)
        if can_write
        else None,
        "registered": letters,
        "proofs": list(
            PostalProof.objects.filter(claim=claim)
            .select_related("document")
            .order_by("posted_on", "pk")
        ),
        "proof_form": ProofForm(claim=claim) if can_write and letters else None,
    }
