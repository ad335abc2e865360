"""manage.py pg_stat_snapshot: take one pg_stat_statements snapshot now (the beat task's work)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from performance.db.pg_stat import take_snapshot


class Command(BaseCommand):
    help = "Snapshot pg_stat_statements and store the deltas since the previous snapshot."

    def handle(self, *args, **options) -> None:
        result = take_snapshot()
        if not result["taken"]:
            raise CommandError(f"no snapshot: {result['reason']}")
        if result["baseline_only"]:
            self.stdout.write(f"first snapshot {result['snapshot_id']}: baseline taken, deltas from the next")
        else:
            self.stdout.write(f"snapshot {result['snapshot_id']}: {result['deltas']} statements ran since "
                              f"the previous one{' (reset detected)' if result['reset_detected'] else ''}")
