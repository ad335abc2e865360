"""manage.py index_audit [--save] [--json]: unused, seq-scan heavy and duplicate indexes."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from performance.db.index_audit import run_audit, save_report


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


class Command(BaseCommand):
    help = "Report unused indexes, tables read mostly by sequential scans and duplicate indexes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--min-rows", type=int, default=None,
                            help="only tables with at least this many live rows count as seq-scan heavy")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--save", action="store_true", help="store it as an IndexAuditReport")

    def handle(self, *args, **options) -> None:
        report = run_audit(options["database"], options["min_rows"])
        if not report.available:
            raise CommandError(report.reason)
        if options["save"]:
            saved = save_report(report, options["database"])
            self.stderr.write(f"saved as IndexAuditReport {saved.pk}")
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2, default=str))
            return
        out = self.stdout.write
        out(f"statistics since: {report.stats_since or 'the cluster started'}")
        out(f"\nunused indexes ({len(report.unused)}):")
        for u in report.unused:
            out(f"  {_size(u['bytes']):>10}  {u['table']}.{u['index']}  -- {u['definition']}")
        out(f"\ntables read mostly by sequential scans ({len(report.seq_scan_heavy)}):")
        for t in report.seq_scan_heavy:
            out(f"  {_size(t['bytes']):>10}  {t['table']}: {t['seq_scan']} seq scans reading "
                f"{t['seq_tup_read']} rows, {t['idx_scan']} index scans, {t['live_rows']} live rows")
        out(f"\nduplicate or overlapping indexes ({len(report.duplicates)}):")
        for d in report.duplicates:
            out(f"  {_size(d['redundant_bytes']):>10}  {d['kind']}: {d['redundant']} is covered by "
                f"{d['kept']} ({d['table']})")
        out(f"\nreclaimable: {_size(report.reclaimable_bytes)}")
