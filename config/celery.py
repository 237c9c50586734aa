"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery.

Because Django is configured, tasks are celery.contrib.django.task.DjangoTask, so services
enqueue with `task.delay_on_commit(...)`: the message is sent only once the transaction that
made the work commits, and never if it rolls back.

Workers log through Django's LOGGING (settings.py), not handlers of Celery's own, so every
line a worker writes passes the filter that redacts personal data (core/logging.py).
"""

import os

from celery import Celery
from celery.signals import setup_logging

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
