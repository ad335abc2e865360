"""``manage.py perf_export --since 24h [--until ...] [--format json|speedscope] [--output FILE]``."""

from __future__ import annotations

import os
import sys
import tempfile

from django.core.management.base import BaseCommand, CommandError

from performance.export import export_json, export_speedscope, time_range


class Command(BaseCommand):
    help = ("Export spans, rollups, stacks, system samples and bottlenecks of a time range as JSON "
            "(schema: performance/export_schema.json) or the sampled stacks as a speedscope file.")

    def add_arguments(self, parser):
        parser.add_argument("--since", default="24h",
                            help="Start: a duration back from now (90s, 30m, 24h, 7d) or an ISO date-time.")
        parser.add_argument("--until", default=None, help="End (default now); same forms as --since.")
        parser.add_argument("--format", choices=["json", "speedscope"], default="json")
        parser.add_argument("--output", default="-", help="File to write (default: standard output).")

    def handle(self, *args, since: str, until: str | None, format: str, output: str, **options):
        try:
            start, end = time_range(since, until)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        pieces = export_json(start, end) if format == "json" else export_speedscope(start, end)
        if output == "-":
            for piece in pieces:
                sys.stdout.write(piece)
            return
        write_atomically(output, pieces)
        self.stderr.write(f"wrote {output}")


def write_atomically(path: str, pieces) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written export."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise CommandError(f"--output {path} is a folder; give a file name")
    if not os.path.isdir(folder):
        raise CommandError(f"--output: the folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=".perf_export-", dir=folder)
    except OSError as exc:
        raise CommandError(f"--output: cannot write in {folder}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            for piece in pieces:
                file.write(piece)
        os.replace(temporary, path)
    except BaseException as exc:
        os.unlink(temporary)
        if isinstance(exc, OSError):
            raise CommandError(f"--output {path}: {exc.strerror or exc}") from None
        raise
