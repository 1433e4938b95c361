"""Staff need a verified second factor to use the admin (ADMIN_REQUIRE_2FA)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import otp


class OTPRequiredMiddleware:
    """Redirect staff without a verified code away from the admin.

    Staff with an authenticator go to the code page; staff without one are sent
    to enrol. Outside the admin nothing changes, so ordinary users who did not
    turn TOTP on keep the plain password login.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._admin_prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._admin_prefix is None:
            self._admin_prefix = reverse("admin:index")
        path = request.path_info
        if (
            path.startswith(self._admin_prefix)
            and not path.startswith(self._admin_prefix + "login/")
            and not request.session.get(otp.VERIFIED)
            and request.user.is_authenticated
            and otp.otp_required_for_admin(request.user)
        ):
            target = "otp_verify" if otp.confirmed_device(request.user) else "otp_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': path})}")
        return self.get_response(request)
