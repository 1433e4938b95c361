"""Celery task names are stored in the broker and in the beat schedule: moving a
module must not rename its tasks."""

from __future__ import annotations

from django.conf import settings

from recouvrement.celery import app

# The names queued messages and beat entries carry (each task's ``name=``).
TASK_NAMES = {
    "claims.tasks.collection_tick",
    "claims.tasks.deliver_debtor_actions_task",
    "claims.tasks.deliver_batch_task",
    "claims.tasks.claims_refresh_figures_task",
    "claims.tasks.notice_send_task",
    "claims.tasks_imports.plans_check_task",
    "claims.money_in.tasks.import_job_task",
    "claims.tasks_privacy.anonymise_closed_task",
    "claims.tasks_webhooks.webhook_deliver_task",
    "claims.tasks_webhooks.webhooks_sweep_task",
}


def test_the_worker_registers_every_task_under_its_name():
    app.loader.import_default_modules()
    registered = {name for name in app.tasks if name.startswith("claims.")}
    assert registered == TASK_NAMES


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    missing = [
        entry["task"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] not in app.tasks
    ]
    assert not missing
