"""``manage.py scan PATH ...``: the scanner's command line, keyed from settings."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Find personal data and secrets in files, archives and databases (see --help)."

    def run_from_argv(self, argv: list[str]) -> None:
        from dataguardian.scanner.cli import main

        key = settings.FINDING_HASH_KEY
        sys.exit(main(argv[2:], hash_key=key.encode() if isinstance(key, str) else key,
                      phone_regions=tuple(settings.DG_PHONE_REGIONS)))
