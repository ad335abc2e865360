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

from performance.profiling import runtime  # noqa: E402 - needs the app registry loaded above

runtime.start("web")  # the flusher and sampler threads of this web process
