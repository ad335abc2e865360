"""What development tools may show: the debug toolbar's audience, and values kept out of reports.

The toolbar (``DEBUG_TOOLBAR=true`` with ``DEBUG`` on) shows a request's
POSTed values, SQL and settings, and keeps the last requests for its history
panel: so it shows only to a signed-in superuser, and never records the scan
form's POSTs. Django's error reports and the toolbar both blank values whose
names look secret through ``ReporterFilter``, which adds URLs (a database URL
carries its password) to Django's own list.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.regex_helper import _lazy_re_compile
from django.views.debug import SafeExceptionReporterFilter

# Never recorded by the toolbar: what is posted there may carry credentials.
UNRECORDED_POSTS = ("scans:new",)


def show_toolbar(request: HttpRequest) -> bool:
    """The toolbar's SHOW_TOOLBAR_CALLBACK: DEBUG, a superuser, and not a scan-form POST."""
    if not settings.DEBUG:
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_active or not user.is_superuser:
        return False
    if request.method == "POST" and request.path in {reverse(name) for name in UNRECORDED_POSTS}:
        return False
    return True


class ReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, also blanking values named like a URL (``database_url``, ``EMAIL_URL``)."""

    hidden_settings = _lazy_re_compile("API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|URL", flags=re.I)
