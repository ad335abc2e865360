#!/usr/bin/env python
"""Django's command-line utility for DataGuardian Pro."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataguardian.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    from dataguardian.config import exit_on_config_error

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - load settings now, to report errors plainly
    except ImproperlyConfigured as exc:
        exit_on_config_error(exc)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
