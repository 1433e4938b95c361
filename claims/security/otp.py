"""Services of the TOTP second factor: set up, confirm, check a code, disable."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import AuditEntry
from claims.models import TOTPDevice

from . import throttle
from . import totp
from .audit import audit_record

# Session keys.
VERIFIED = "otp_verified"
PENDING_USER = "otp_pending_user"
PENDING_BACKEND = "otp_pending_backend"
PENDING_NEXT = "otp_pending_next"
PENDING_SINCE = "otp_pending_since"
PENDING_MAX_AGE = 5 * 60
# Proof, kept in the session, that the user opened an enrolment link: the
# password alone never shows a new secret (a stolen password would otherwise
# let its thief bind an authenticator of its own).
ENROL_PROOF = "otp_enrol_proof"
ENROL_LINK_SECONDS = 30 * 60


ENROL_SALT = "claims.security.otp.enrol"


def enrol_link_issue(*, user: AbstractBaseUser) -> str:
    """A signed enrolment link for ``user``, valid 30 minutes, e-mailed or handed
    over by an operator (``manage.py otp_enrol_link``). It names the user and is
    bound to the password in force: it is worthless to anyone else and dies with
    a password change."""
    raw = signing.dumps({"u": user.pk, "p": _password_tag(user)}, salt=ENROL_SALT)
    return settings.SITE_URL + reverse("otp_enrol", kwargs={"token": raw})


def _password_tag(user: AbstractBaseUser) -> str:
    return hashlib.sha256(user.password.encode()).hexdigest()[:16]


def enrol_link_use(*, raw: str, user: AbstractBaseUser) -> bool:
    """True when ``raw`` is a live link issued for this very user."""
    if not raw or len(raw) > 300:
        return False
    try:
        data = signing.loads(raw, salt=ENROL_SALT, max_age=ENROL_LINK_SECONDS)
    except signing.BadSignature:
        return False
    return data.get("u") == user.pk and data.get("p") == _password_tag(user)


def enrol_link_send(*, user: AbstractBaseUser) -> bool:
    """E-mail the link to the user's own address; False when it has none."""
    email = getattr(user, "email", "")
    if not email:
        return False
    link = enrol_link_issue(user=user)
    send_mail(
        subject=_("Activer la double authentification"),
        message=render_to_string(
            "security/otp_enrol_email.txt",
            {"link": link, "minutes": ENROL_LINK_SECONDS // 60, "user": user},
        ),
        from_email=None,
        recipient_list=[email],
    )
    return True


def confirmed_device(user: AbstractBaseUser) -> TOTPDevice | None:
    """The user's confirmed device, if any."""
    return TOTPDevice.objects.filter(
        user_id=user.pk, confirmed_at__isnull=False
    ).first()


def otp_required_at_login(user: AbstractBaseUser) -> bool:
    """A user with a confirmed authenticator must give a code after the password."""
    return confirmed_device(user) is not None


def otp_required_for_admin(user: AbstractBaseUser) -> bool:
    """Staff need a verified second factor in the admin when ADMIN_REQUIRE_2FA is on."""
    return bool(settings.ADMIN_REQUIRE_2FA and getattr(user, "is_staff", False))


@transaction.atomic
def device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """Return the user's unconfirmed device, creating one with a fresh secret.

    Refuses (ValueError) when a confirmed device exists: disable it first, so a
    secret is never shown again once in use.
    """
    device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk).first()
    if device is not None and device.is_confirmed:
        raise ValueError("A confirmed device exists")
    if device is None:
        device = TOTPDevice.objects.create(user=user, secret=totp.random_secret())
    return device


def _throttle_key(user: AbstractBaseUser) -> str:
    return f"otp:{user.pk}"


def code_check(
    *, user: AbstractBaseUser, code: str, request: object = None, confirm: bool = False
) -> bool:
    """Check a code against the user's device; True when accepted.

    A code is accepted once (the step is stored with a conditional UPDATE so two
    concurrent submissions cannot both win). Failures count towards the same
    lock-out as passwords. ``confirm`` also activates an unconfirmed device.
    """
    key = _throttle_key(user)
    if throttle.is_locked(key):
        return False
    device = TOTPDevice.objects.filter(user_id=user.pk).first()
    if device is None or (not confirm and not device.is_confirmed):
        return False
    step = totp.verify(
        device.secret, code, at=timezone.now().timestamp(), last_step=device.last_step
    )
    won = 0
    if step is not None:
        updates: dict[str, object] = {"last_step": step}
        if confirm and not device.is_confirmed:
            updates["confirmed_at"] = timezone.now()
        won = TOTPDevice.objects.filter(
            pk=device.pk, last_step=device.last_step
        ).update(**updates)
    if won != 1:
        throttle.register_failure(key)
        audit_record(kind=AuditEntry.Kind.OTP_FAILED, request=request, user=user)  # type: ignore[arg-type]
        return False
    throttle.reset(key)
    if confirm and "confirmed_at" in updates:
        audit_record(kind=AuditEntry.Kind.OTP_ENABLED, request=request, user=user)  # type: ignore[arg-type]
    return True


def code_locked(*, user: AbstractBaseUser) -> bool:
    return throttle.is_locked(_throttle_key(user))


@transaction.atomic
def device_disable(*, user: AbstractBaseUser, request: object = None) -> bool:
    """Remove the user's device; False when there was none."""
    deleted, _ = TOTPDevice.objects.filter(user_id=user.pk).delete()
    if deleted:
        audit_record(kind=AuditEntry.Kind.OTP_DISABLED, request=request, user=user)  # type: ignore[arg-type]
    return bool(deleted)
