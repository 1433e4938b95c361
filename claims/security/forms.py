"""Login with throttling, and the one-time code forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from claims.models import AuditEntry

from . import throttle
from .audit import audit_record
from .net import client_ip

LOCKED_MESSAGE = _(
    "Trop de tentatives de connexion échouées. Pour votre sécurité, la connexion "
    "est bloquée pendant 15 minutes. Réessayez plus tard ou réinitialisez votre "
    "mot de passe."
)


class ThrottledLoginMixin:
    """Refuse any attempt while the username+IP pair, or the username from any
    address (too many failures spread over many addresses), is locked out.

    Failures are counted by the ``user_login_failed`` receiver, so every path
    that calls ``authenticate()`` (this form, the admin) feeds the same counter.
    """

    request: Any
    data: Any

    def clean(self) -> dict[str, Any]:
        username = str(self.data.get("username", ""))
        keys = throttle.login_keys(username, client_ip(self.request))
        if any(throttle.is_locked(key) for key, _limit in keys):
            audit_record(
                kind=AuditEntry.Kind.LOGIN_BLOCKED,
                request=self.request,
                user=None,
                username=username,
            )
            raise ValidationError(LOCKED_MESSAGE, code="locked")
        return super().clean()  # type: ignore[misc]


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class OTPCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code à 6 chiffres"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise ValidationError(
                _("Saisissez les 6 chiffres affichés par l'application.")
            )
        return code
