from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("Créances")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers system checks
        from .security import admin as _security_admin  # noqa: F401
        from .security import signals  # noqa: F401 - audit log receivers
