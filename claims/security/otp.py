"""Services of the TOTP second factor: set up, confirm, check a code, disable."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

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
