"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery.

Because Django is configured, tasks are celery.contrib.django.task.DjangoTask, so services
enqueue with `task.delay_on_commit(...)`: the message is sent only once the transaction that
made the work commits, and never if it rolls back.

Workers log through Django's LOGGING (settings.py), not handlers of Celery's own, so every
line a worker writes passes the filter that redacts personal data (core/logging.py).
"""

import os

from celery import Celery
from celery.signals import setup_logging, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("groundswell")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def logging_from_django_settings(**kwargs) -> None:
    """Celery configures logging itself unless something answers this signal: use
    Django's LOGGING instead (as cookiecutter-django does)."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(sender=None, **kwargs) -> None:
    """Around each task a worker runs, what Django does around each request: close a
    connection older than CONN_MAX_AGE, or one that is broken, and keep the rest
    (CELERY_DB_REUSE_MAX). Not for a task run in-process (eagerly), whose caller owns the
    connection and may be inside a transaction."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
