from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = _("Courriers et documents")

    def ready(self) -> None:
        from claims.engine.execution import register_deliverer
        from letters import checks  # noqa: F401  (registers the system check)
        from letters.delivery import deliver

        register_deliverer(deliver)

        from claims.engine.execution import register_notifier
        from letters.plan_notices import notices_deliver

        register_notifier(notices_deliver)

        from letters.emails import register_portal_link
        from letters.emails import register_portal_links
        from letters.portal.tokens import portal_link_for
        from letters.portal.tokens import portal_links_for_many

        # Every email carries the debtor's personal portal link: for the claim
        # when it covers one, for all the debtor's open claims otherwise.
        register_portal_link(
            lambda debtor, claims: portal_link_for(
                debtor=debtor, claim=claims[0] if len(claims) == 1 else None
            )
        )
        register_portal_links(
            lambda items: portal_links_for_many(
                [(d, claims[0] if len(claims) == 1 else None) for d, claims in items]
            )
        )
