"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery.

Because Django is configured, tasks are celery.contrib.django.task.DjangoTask, so services
enqueue with `task.delay_on_commit(...)`: the message is sent only once the transaction that
made the work commits, and never if it rolls back.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("groundswell")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
