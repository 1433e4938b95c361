"""Login (throttled, with a second step when TOTP is on) and the 2FA pages."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.contrib.auth.views import PasswordResetView
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseBase
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import otp
from . import throttle
from . import totp
from .forms import LOCKED_MESSAGE
from .forms import OTPCodeForm
from .forms import ThrottledAuthenticationForm
from .net import client_ip
from .params import safe_next


class SecureLoginView(LoginView):
    """Password first; users with an authenticator then give a code.

    Until the code is accepted the session is NOT authenticated: only the
    pending user's id is kept, for five minutes.
    """

    form_class = ThrottledAuthenticationForm

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not otp.otp_required_at_login(user):
            return super().form_valid(form)
        session = self.request.session
        session.cycle_key()
        session[otp.PENDING_USER] = user.pk
        session[otp.PENDING_BACKEND] = user.backend
        session[otp.PENDING_NEXT] = self.get_success_url()
        session[otp.PENDING_SINCE] = time.time()
        return redirect("otp_verify")


secure_login = SecureLoginView.as_view()


class ThrottledPasswordResetView(PasswordResetView):
    """Password reset with a cap per e-mail address and per client address.

    Over the cap the visitor sees the same "check your mailbox" page (whether
    an account exists stays secret) but no e-mail leaves.
    """

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        hour = 3600
        over_ip = throttle.hit(
            f"reset-ip:{client_ip(self.request)}", settings.PASSWORD_RESET_PER_IP, hour
        )
        over_email = throttle.hit(
            "reset-email:" + hashlib.sha256(email.encode()).hexdigest(),
            settings.PASSWORD_RESET_PER_EMAIL,
            hour,
        )
        if over_ip or over_email:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


password_reset = ThrottledPasswordResetView.as_view()


def _pending_user(request: HttpRequest) -> Any:
    session = request.session
    user_id = session.get(otp.PENDING_USER)
    since = session.get(otp.PENDING_SINCE, 0)
    if user_id is None or time.time() - since > otp.PENDING_MAX_AGE:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


@never_cache
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step of the login, or re-verification of a logged-in staff member."""
    user = request.user if request.user.is_authenticated else _pending_user(request)
    if user is None:
        return redirect("login")
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.code_locked(user=user):
            form.add_error(None, LOCKED_MESSAGE)
        elif otp.code_check(user=user, code=form.cleaned_data["code"], request=request):
            default = reverse(settings.LOGIN_REDIRECT_URL)
            target = request.session.get(otp.PENDING_NEXT) or request.GET.get("next")
            if not request.user.is_authenticated:
                backend = request.session.get(otp.PENDING_BACKEND)
                auth_login(request, user, backend=backend)
            for key in (
                otp.PENDING_USER,
                otp.PENDING_BACKEND,
                otp.PENDING_NEXT,
                otp.PENDING_SINCE,
            ):
                request.session.pop(key, None)
            request.session[otp.VERIFIED] = True
            return redirect(safe_next(request, target, default))
        else:
            form.add_error("code", _("Code incorrect ou expiré."))
    return render(request, "security/otp_verify.html", {"form": form})


@never_cache
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Show the QR code of a new secret; a first valid code activates it."""
    if otp.confirmed_device(request.user) is not None:
        return redirect("otp_status")
    if request.session.get(otp.ENROL_PROOF) != request.user.pk:
        return _otp_enrol_request(request)
    device = otp.device_start(user=request.user)
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.code_check(
            user=request.user,
            code=form.cleaned_data["code"],
            request=request,
            confirm=True,
        ):
            request.session[otp.VERIFIED] = True
            messages.success(request, _("La double authentification est activée."))
            return redirect(
                safe_next(request, request.GET.get("next"), reverse("otp_status"))
            )
        form.add_error("code", _("Code incorrect ou expiré."))
    uri = totp.provisioning_uri(
        device.secret, account=request.user.get_username(), issuer=settings.OTP_ISSUER
    )
    qr = segno.make(uri, error="m").svg_data_uri(scale=5)
    context = {
        "form": form,
        "qr": qr,
        "secret": device.secret,
        "required": otp.otp_required_for_admin(request.user),
    }
    return render(request, "security/otp_setup.html", context)


def _otp_enrol_request(request: HttpRequest) -> HttpResponse:
    """Before any secret is shown: a link to the user's own mailbox."""
    email = request.user.email or ""
    sent = False
    if request.method == "POST" and "send_link" in request.POST:
        sent = otp.enrol_link_send(user=request.user)
    masked = ""
    if email:
        local, _at, domain = email.partition("@")
        masked = f"{local[:1]}…@{domain}"
    context = {
        "email": masked,
        "sent": sent,
        "required": otp.otp_required_for_admin(request.user),
    }
    return render(request, "security/otp_enrol.html", context)


@never_cache
@login_required
def otp_enrol(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: proves the mailbox, then the set-up page shows the QR."""
    if not otp.enrol_link_use(raw=token, user=request.user):
        messages.error(
            request,
            _("Ce lien d'activation n'est plus valable : demandez-en un nouveau."),
        )
        return redirect("otp_setup")
    request.session[otp.ENROL_PROOF] = request.user.pk
    return redirect("otp_setup")


@never_cache
@login_required
def otp_status(request: HttpRequest) -> HttpResponse:
    """Whether the user's second factor is on, with the way to turn it on or off."""
    context = {
        "device": otp.confirmed_device(request.user),
        "required": otp.otp_required_for_admin(request.user),
        "form": OTPCodeForm(),
    }
    return render(request, "security/otp_status.html", context)


@require_POST
@login_required
def otp_disable(request: HttpRequest) -> HttpResponseBase:
    """Turn the second factor off; a current code is required."""
    form = OTPCodeForm(request.POST)
    if form.is_valid() and otp.code_check(
        user=request.user, code=form.cleaned_data["code"], request=request
    ):
        otp.device_disable(user=request.user, request=request)
        request.session.pop(otp.VERIFIED, None)
        messages.success(request, _("La double authentification est désactivée."))
    else:
        messages.error(
            request, _("Code incorrect : la double authentification reste active.")
        )
    return redirect("otp_status")


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's page: accept while logged in, or create an account first.

    An unknown, used, expired or revoked link gets one and the same answer.
    """
    from django.contrib.auth.forms import UserCreationForm
    from django.core.exceptions import ValidationError

    from claims.security.access import SESSION_KEY

    from .members import invitation_accept as accept
    from .members import invitation_by_token

    invitation = invitation_by_token(token)
    if invitation is None:
        return render(request, "security/invitation.html", {}, status=404)
    form = UserCreationForm(request.POST or None)
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        if user is None and form.is_valid():
            user = form.save(commit=False)
            user.email = invitation.email
            user.save()
            auth_login(
                request, user, backend="django.contrib.auth.backends.ModelBackend"
            )
        if user is not None:
            try:
                membership = accept(raw=token, user=user, request=request)
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
                return redirect(settings.LOGIN_REDIRECT_URL)
            request.session[SESSION_KEY] = membership.creditor_id
            messages.success(
                request,
                _("Bienvenue : vous travaillez maintenant pour %(c)s.")
                % {"c": membership.creditor},
            )
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(
        request, "security/invitation.html", {"invitation": invitation, "form": form}
    )
