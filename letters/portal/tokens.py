"""Portal access tokens: issue, resolve, revoke.

The raw token (``secrets.token_urlsafe(32)``, 256 bits) is only ever in the
debtor's link; the database keeps its SHA-256. Resolution always hashes and runs
one indexed query, then answers ``None`` alike whether the token is unknown,
expired or revoked, so neither the response nor its timing tells them apart.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from claims.ledger.services import event_record
from claims.ledger.timeline import said
from claims.models import Claim
from claims.models import Debtor
from claims.models import Event
from claims.models import PortalToken

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

log = logging.getLogger("letters.portal")

# No 0/O, 1/I/L: a short code is typed from paper.
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHORT_CODE_LENGTH = 8
DEFAULT_DAYS = 90


def token_hash(raw: str) -> str:
    """SHA-256 of the raw token, hex (what the database stores)."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def short_code_new() -> str:
    return "".join(
        secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH)
    )


def short_code_normalise(value: str) -> str:
    """Upper-case and drop the spaces or dashes a human may type."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def portal_url(raw_token: str) -> str:
    """The absolute link printed in emails and letters."""
    return settings.SITE_URL + reverse("portal:enter", kwargs={"token": raw_token})


def portal_code_url() -> str:
    """The page where a debtor types the short code printed on paper."""
    return settings.SITE_URL + reverse("portal:code")


@transaction.atomic
def portal_token_issue(
    *,
    debtor: Debtor,
    claim: Claim | None = None,
    days: int = DEFAULT_DAYS,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> tuple[PortalToken, str]:
    """Create a token for ``debtor`` (one claim, or all open claims when ``claim``
    is None); return it with the raw token, which is never stored."""
    if claim is not None and claim.debtor_id != debtor.pk:
        raise ValueError("The claim belongs to another debtor")
    now = now or timezone.now()
    raw = secrets.token_urlsafe(32)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                token = PortalToken.objects.create(
                    creditor_id=debtor.creditor_id,
                    debtor=debtor,
                    claim=claim,
                    token_hash=token_hash(raw),
                    short_code=short_code_new(),
                    expires_at=now + timedelta(days=days),
                    created_by=actor if actor and actor.is_authenticated else None,
                )
            break
        except IntegrityError:  # short-code collision (31^8 space): draw again
            continue
    else:  # pragma: no cover - would need five collisions in a row
        raise RuntimeError("Could not draw a unique portal short code")
    if claim is not None:
        event_record(
            claim=claim,
            kind=Event.Kind.PORTAL,
            actor=actor,
            message=said(
                gettext_noop("Accès portail émis (code %(c)s), valable %(n)s jours"),
                c=token.short_code,
                n=days,
            ),
            data={
                "short_code": token.short_code,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return token, raw


def portal_links_for_many(
    items: list[tuple[Debtor, Claim | None]], *, days: int = DEFAULT_DAYS
) -> list[str]:
    """:func:`portal_link_for` for many debtors at once (a delivery batch):
    the tokens and their timeline entries written with one INSERT each."""
    if not items:
        return []
    now = timezone.now()
    raws = [secrets.token_urlsafe(32) for _ in items]
    for _attempt in range(5):
        tokens = [
            PortalToken(
                creditor_id=debtor.creditor_id,
                debtor=debtor,
                claim=claim,
                token_hash=token_hash(raw),
                short_code=short_code_new(),
                expires_at=now + timedelta(days=days),
            )
            for (debtor, claim), raw in zip(items, raws, strict=True)
        ]
        if len({t.short_code for t in tokens}) < len(tokens):
            continue
        try:
            with transaction.atomic():
                PortalToken.objects.bulk_create(tokens)
            break
        except IntegrityError:  # a short-code collision: draw the batch again
            continue
    else:  # pragma: no cover - would need five collisions in a row
        raise RuntimeError("Could not draw unique portal short codes")
    Event.objects.bulk_create(
        Event(
            creditor_id=t.creditor_id,
            claim=t.claim,
            kind=Event.Kind.PORTAL,
            actor_label="système",
            message=said(
                gettext_noop("Accès portail émis (code %(c)s), valable %(n)s jours"),
                c=t.short_code,
                n=days,
            ),
            data={"short_code": t.short_code, "expires_at": t.expires_at.isoformat()},
        )
        for t in tokens
        if t.claim is not None
    )
    return [portal_url(raw) for raw in raws]


def _usable(token: PortalToken | None, now: datetime) -> bool:
    return token is not None and token.revoked_at is None and token.expires_at > now


def portal_token_resolve(
    raw: str, *, now: datetime | None = None
) -> PortalToken | None:
    """The valid token for ``raw`` or None (unknown, expired and revoked alike)."""
    now = now or timezone.now()
    digest = token_hash(raw[:200])
    token = (
        PortalToken.objects.select_related("creditor", "debtor", "claim")
        .filter(token_hash=digest)
        .first()
    )
    if not _usable(token, now):
        reason = "unknown" if token is None else "expired_or_revoked"
        log.warning("portal: refused token %s… (%s)", digest[:10], reason)
        return None
    return token


def portal_token_by_id(
    token_id: int, *, now: datetime | None = None
) -> PortalToken | None:
    """Re-read the session's token on every request: revocation is immediate."""
    now = now or timezone.now()
    token = (
        PortalToken.objects.select_related("creditor", "debtor", "claim")
        .filter(pk=token_id)
        .first()
    )
    return token if _usable(token, now) else None


def portal_code_resolve(
    code: str, proof: str, *, now: datetime | None = None
) -> PortalToken | None:
    """A short code plus the debtor's postal code or one of their invoice numbers.

    Both must match; any failure answers None without saying which part was wrong.
    """
    now = now or timezone.now()
    token = (
        PortalToken.objects.select_related("creditor", "debtor", "claim")
        .filter(short_code=short_code_normalise(code)[:SHORT_CODE_LENGTH])
        .first()
    )
    proof = proof.strip().upper().replace(" ", "")
    # Same queries whether the code exists or not (no timing oracle on codes).
    debtor_id = token.debtor_id if token is not None else -1
    invoices = Claim.objects.filter(debtor_id=debtor_id).values_list(
        "invoices__number", flat=True
    )
    candidates = [n.upper() for n in invoices if n]
    if token is None or not proof:
        log.warning("portal: refused short code")
        return None
    candidates.append(token.debtor.postal_code.replace(" ", "").upper())
    matched = False
    for candidate in candidates:  # no early exit: same work whichever matches
        if candidate and hmac.compare_digest(candidate.encode(), proof.encode()):
            matched = True
    if not matched or not _usable(token, now):
        log.warning("portal: refused short code %s…", token.short_code[:3])
        return None
    return token


@transaction.atomic
def portal_token_revoke(
    *, token: PortalToken, actor: AbstractBaseUser | None = None
) -> bool:
    """Revoke now; False when it was already revoked (conditional UPDATE)."""
    now = timezone.now()
    won = PortalToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now
    )
    if won != 1:
        return False
    token.revoked_at = now
    claims = (
        [token.claim]
        if token.claim_id
        else list(token.debtor.claims.filter(status=Claim.Status.OPEN))
    )
    for claim in claims:
        event_record(
            claim=claim,
            kind=Event.Kind.PORTAL,
            actor=actor,
            message=said(
                gettext_noop("Accès portail révoqué (code %s)"), token.short_code
            ),
            data={"short_code": token.short_code},
        )
    return True


def portal_link_for(*, debtor: Debtor, claim: Claim | None = None) -> str:
    """The link to print in a letter or email for ``debtor`` (and ``claim``).

    Raw tokens are not stored, so each call issues a fresh token; letters call
    it once per rendered document. Use :func:`portal_link_and_code_for` when the
    paper letter also needs the short code.
    """
    return portal_link_and_code_for(debtor=debtor, claim=claim)[0]


def portal_link_and_code_for(
    *, debtor: Debtor, claim: Claim | None = None, days: int = DEFAULT_DAYS
) -> tuple[str, str]:
    """(absolute link, short code) for a letter: QR encodes the link, the code
    is typed on ``portal_code_url()`` together with the postal code."""
    token, raw = portal_token_issue(debtor=debtor, claim=claim, days=days)
    return portal_url(raw), token.short_code
