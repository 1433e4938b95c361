from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("Créances")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers system checks
        from .engine.collection import ledger_hooks_register

        ledger_hooks_register()

        self._register_configured_deliverer()
        self._webhook_endpoints_watch()

    @staticmethod
    def _webhook_endpoints_watch() -> None:
        """An endpoint saved or deleted: the emitters read the endpoints again."""
        from django.db.models.signals import post_delete
        from django.db.models.signals import post_save

        from claims.ledger.webhooks import endpoints_changed

        for signal in (post_save, post_delete):
            signal.connect(endpoints_changed, sender="claims.WebhookEndpoint")

    @staticmethod
    def _register_configured_deliverer() -> None:
        """``COLLECTION_DELIVERER`` (dotted path), when set, wins over letters'."""
        from django.conf import settings
        from django.utils.module_loading import import_string

        from claims.engine.execution import register_deliverer

        path = getattr(settings, "COLLECTION_DELIVERER", "")
        if path:
            register_deliverer(import_string(path), pinned=True)
        from .security import admin as _security_admin  # noqa: F401
        from .security import signals  # noqa: F401 - audit log receivers
