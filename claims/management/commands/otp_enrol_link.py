"""Print a one-time link with which a user may enrol an authenticator."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from claims.security.otp import ENROL_LINK_SECONDS
from claims.security.otp import enrol_link_issue


class Command(BaseCommand):
    help = (
        "Print a one-time link (valid 30 minutes) that lets USERNAME enrol a TOTP "
        "authenticator; hand it over by a channel other than the password's."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        self.stdout.write(enrol_link_issue(user=user))
        self.stderr.write(f"Valid {ENROL_LINK_SECONDS // 60} minutes, once.")
