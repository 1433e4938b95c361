"""Login: throttling, the audit log, the TOTP step and the admin's 2FA rule."""

from __future__ import annotations

import base64
import re
import time

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from claims.models import AuditEntry
from claims.models import TOTPDevice
from claims.security import totp
from tests import factories as f

PASSWORD = "pw-for-tests-1"
# A fixed instant near the real clock (sessions created by force_login expire).
T0 = int(time.time()) // 30 * 30


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _login(client, username, password=PASSWORD, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, **extra
    )


def _device(user, *, secret_key=b"12345678901234567890"):
    secret = base64.b32encode(secret_key).decode()
    return TOTPDevice.objects.create(
        user=user, secret=secret, confirmed_at=timezone.now()
    )


def _code(device, at):
    return totp.totp(totp.secret_bytes(device.secret), at)


def test_it_logs_in_with_password_only_when_totp_is_off(client, cast):
    response = _login(client, "alice")
    assert response.status_code == 302
    assert response.url == reverse("claims:dashboard")
    assert client.get(reverse("claims:dashboard")).status_code == 200
    entry = AuditEntry.objects.get(kind="login")
    assert entry.user == cast.owner
    assert entry.ip == "127.0.0.1"


def test_it_audits_failures_and_logout(client, cast):
    _login(client, "alice", "wrong")
    failed = AuditEntry.objects.get(kind="login_failed")
    assert failed.username == "alice"
    assert failed.user is None
    _login(client, "alice")
    client.post(reverse("logout"))
    kinds = list(AuditEntry.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["login_failed", "login", "logout"]


def test_audit_entries_are_immutable(cast):
    entry = AuditEntry.objects.create(kind="export", username="x")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()


def test_it_locks_after_five_failures_for_fifteen_minutes(client, cast):
    for _ in range(5):
        response = _login(client, "alice", "wrong")
        assert "Trop de tentatives" not in response.content.decode()
    # The sixth attempt is refused even with the right password.
    response = _login(client, "alice")
    assert response.status_code == 200
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(kind="login_blocked").count() == 1
    # Another user from the same address, or alice from another address, may log in.
    assert _login(client, "bob").status_code == 302
    other = client_class_for(client)
    assert _login(other, "alice", REMOTE_ADDR="10.9.9.9").status_code == 302


def client_class_for(client):
    return type(client)()


def test_a_reset_lifts_the_lock(client, cast):
    from claims.security import throttle

    for _ in range(5):
        _login(client, "alice", "wrong")
    assert "Trop de tentatives" in _login(client, "alice").content.decode()
    throttle.reset(throttle.login_key("alice", "127.0.0.1"))
    assert _login(client, "alice").status_code == 302


def test_a_success_resets_the_counter(client, cast):
    for _ in range(4):
        _login(client, "alice", "wrong")
    assert _login(client, "alice").status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        _login(client, "alice", "wrong")
    assert _login(client, "alice").status_code == 302


def test_users_with_totp_give_a_code_before_being_logged_in(client, cast):
    device = _device(cast.owner)
    with time_machine.travel(T0, tick=False):
        response = _login(client, "alice")
        assert response.url == reverse("otp_verify")
        assert "_auth_user_id" not in client.session
        # The dashboard is still closed.
        assert client.get(reverse("claims:dashboard")).status_code == 302
        bad = client.post(reverse("otp_verify"), {"code": "000000"})
        assert "Code incorrect" in bad.content.decode()
        ok = client.post(reverse("otp_verify"), {"code": _code(device, T0)})
    assert ok.url == reverse("claims:dashboard")
    assert client.session["_auth_user_id"] == str(cast.owner.pk)
    assert AuditEntry.objects.filter(kind="otp_failed").count() == 1
    assert AuditEntry.objects.filter(kind="login", user=cast.owner).count() == 1


def test_a_code_cannot_be_replayed(client, cast):
    device = _device(cast.owner)
    with time_machine.travel(T0, tick=False):
        code = _code(device, T0)
        _login(client, "alice")
        assert client.post(reverse("otp_verify"), {"code": code}).status_code == 302
        client.post(reverse("logout"))
        _login(client, "alice")
        response = client.post(reverse("otp_verify"), {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def _enrol(client, user):
    """The mailbox step: the e-mailed link, opened in the same browser."""
    from django.core import mail

    client.post(reverse("otp_setup"), {"send_link": "1"})
    link = re.search(r"http\S+/2fa/enrol/\S+/", mail.outbox[-1].body).group(0)
    return client.get("/" + link.split("://", 1)[1].split("/", 1)[1])


def test_setup_confirm_and_disable(client, cast):
    client.force_login(cast.owner)
    cast.owner.email = "alice@example.test"
    cast.owner.save()
    _enrol(client, cast.owner)
    page = client.get(reverse("otp_setup"))
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=cast.owner)
    assert not device.is_confirmed
    with time_machine.travel(T0, tick=False):
        code = _code(device, T0)
        assert client.post(reverse("otp_setup"), {"code": code}).status_code == 302
    device.refresh_from_db()
    assert device.is_confirmed
    # Once active, the secret is never shown again.
    assert client.get(reverse("otp_setup")).url == reverse("otp_status")
    assert device.secret not in client.get(reverse("otp_status")).content.decode()
    with time_machine.travel(T0 + 60, tick=False):
        client.post(reverse("otp_disable"), {"code": _code(device, T0 + 60)})
    assert not TOTPDevice.objects.filter(user=cast.owner).exists()
    kinds = set(AuditEntry.objects.values_list("kind", flat=True))
    assert {"otp_enabled", "otp_disabled"} <= kinds


@pytest.fixture
def staff(db):
    return f.UserFactory(username="operator", is_staff=True, is_superuser=True)


def test_admin_sends_staff_without_device_to_enrol(client, staff, settings):
    settings.ADMIN_REQUIRE_2FA = True
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("otp_setup"))


def test_admin_asks_staff_with_device_for_a_code(client, staff, settings):
    settings.ADMIN_REQUIRE_2FA = True
    device = _device(staff)
    with time_machine.travel(T0, tick=False):
        response = _login(client, "operator")
        assert response.url == reverse("otp_verify")
        client.post(reverse("otp_verify"), {"code": _code(device, T0)})
    assert client.get("/admin/").status_code == 200


def test_admin_is_open_to_staff_when_the_flag_is_off(client, staff, settings):
    settings.ADMIN_REQUIRE_2FA = False
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_admin_login_goes_through_the_throttled_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=/admin/"


def test_many_addresses_together_hit_the_account_cap(client, cast, settings):
    """80 wrong passwords from 20 addresses (4 each, under the per-address cap),
    then the right one: refused, the account is locked for a while."""
    for n in range(80):
        _login(client, "alice", "wrong", REMOTE_ADDR=f"10.0.0.{n % 20 + 1}")
    response = _login(client, "alice", REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 200
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Below the account cap, a right password from a fresh address still works.
    assert settings.LOGIN_MAX_FAILURES_ACCOUNT == 20
    for n in range(19):
        _login(client, "bob", "wrong", REMOTE_ADDR=f"10.0.2.{n % 19 + 1}")
    assert _login(client, "bob", REMOTE_ADDR="10.0.3.1").status_code == 302


def test_password_reset_sends_at_most_three_mails_per_address(client, cast):
    from django.core import mail

    cast.owner.email = "alice@example.test"
    cast.owner.save()
    answers = [
        client.post(
            reverse("password_reset"),
            {"email": "alice@example.test"},
            REMOTE_ADDR=f"10.1.0.{n + 1}",
        )
        for n in range(20)
    ]
    assert {a.status_code for a in answers} == {302}
    assert {a.url for a in answers} == {reverse("password_reset_done")}
    assert len(mail.outbox) == 3


def test_password_reset_caps_requests_per_client_address(client, cast):
    from django.core import mail

    users = [f.UserFactory(email=f"u{n}@example.test") for n in range(12)]
    for user in users:
        client.post(reverse("password_reset"), {"email": user.email})
    assert len(mail.outbox) == 10


def test_a_password_alone_never_shows_a_secret(client, staff, settings):
    """A thief with the password of a staff account without a device cannot
    bind an authenticator: the set-up page asks for the mailbox first."""
    from django.core import mail

    settings.ADMIN_REQUIRE_2FA = True
    staff.email = "operator@example.test"
    staff.save()
    client.force_login(staff)
    page = client.get(client.get("/admin/").url)
    text = page.content.decode()
    assert "data:image/svg+xml" not in text
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert "o…@example.test" in text
    # A forged or another user's link does nothing.
    assert client.get(reverse("otp_enrol", args=["forged"])).url == reverse("otp_setup")
    other = f.UserFactory(username="someone", email="s@example.test")
    from claims.security.otp import enrol_link_issue

    theirs = enrol_link_issue(user=other).split("/2fa/enrol/")[1].rstrip("/")
    client.get(reverse("otp_enrol", args=[theirs]))
    assert "data:image/svg+xml" not in client.get(reverse("otp_setup")).content.decode()
    # The link from the mailbox opens the set-up.
    _enrol(client, staff)
    assert len(mail.outbox) == 1
    assert "data:image/svg+xml" in client.get(reverse("otp_setup")).content.decode()


def test_an_enrol_link_dies_with_a_password_change(client, cast):
    from claims.security.otp import enrol_link_issue
    from claims.security.otp import enrol_link_use

    raw = enrol_link_issue(user=cast.owner).split("/2fa/enrol/")[1].rstrip("/")
    assert enrol_link_use(raw=raw, user=cast.owner)
    cast.owner.set_password("another-long-password-9")
    cast.owner.save()
    assert not enrol_link_use(raw=raw, user=cast.owner)


def test_the_operator_command_prints_a_working_link(cast):
    import io

    from django.core.management import call_command

    from claims.security.otp import enrol_link_use

    out = io.StringIO()
    call_command("otp_enrol_link", "alice", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip().split("/2fa/enrol/")[1].rstrip("/")
    assert enrol_link_use(raw=raw, user=cast.owner)
