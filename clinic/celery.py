"""The Celery app. Tasks live in the app whose data they change; they take ids and are queued after commit."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("medius")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
