"""The Celery app, configured from Django settings (the CELERY_* names)."""

import os

from celery import Celery
from django.core.exceptions import ImproperlyConfigured

from dataguardian.config import exit_on_config_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataguardian.settings")

app = Celery("dataguardian")
try:
    app.config_from_object("django.conf:settings", namespace="CELERY")
    from django.conf import settings

    settings.INSTALLED_APPS  # noqa: B018 - fail here, plainly, on a bad environment
except ImproperlyConfigured as exc:
    exit_on_config_error(exc)
app.autodiscover_tasks()
