"""ASGI entry point."""

import os

from django.core.exceptions import ImproperlyConfigured

from dataguardian.config import exit_on_config_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataguardian.settings")

try:
    from django.core.asgi import get_asgi_application

    application = get_asgi_application()
except ImproperlyConfigured as exc:
    exit_on_config_error(exc)
