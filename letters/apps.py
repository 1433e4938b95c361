from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = _("Courriers et documents")

    def ready(self) -> None:
        from claims.execution import register_deliverer
        from letters import checks  # noqa: F401  (registers the system check)
        from letters.delivery import deliver

        register_deliverer(deliver)
