"""The Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recouvrement.settings")

# DjangoTask gives every task delay_on_commit(): enqueue only after the
# transaction that created the work has committed.
app = Celery("recouvrement", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
