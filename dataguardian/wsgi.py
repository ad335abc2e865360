"""WSGI entry point (gunicorn dataguardian.wsgi)."""

import os

from django.core.exceptions import ImproperlyConfigured

from dataguardian.config import exit_on_config_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataguardian.settings")

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    exit_on_config_error(exc)
