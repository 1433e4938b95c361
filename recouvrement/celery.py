"""The Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import worker_process_init
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recouvrement.settings")

# DjangoTask gives every task delay_on_commit(): enqueue only after the
# transaction that created the work has committed.
app = Celery("recouvrement", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _warm_letters(**_kwargs: object) -> None:
    """Pay the PDF renderer's one-time setup (fonts, stylesheet) at worker start.

    ``worker_process_init`` runs in each prefork child, ``worker_ready`` in
    the main process (where a solo or thread pool runs the tasks). A failure
    is logged, never fatal: the first letter then pays the setup itself.
    """
    import logging

    try:
        from letters.rendering import warm

        warm()
    except Exception:  # warming is an optimisation only
        logging.getLogger(__name__).warning(
            "PDF renderer warm-up failed", exc_info=True
        )


worker_process_init.connect(_warm_letters, weak=False)
worker_ready.connect(_warm_letters, weak=False)
