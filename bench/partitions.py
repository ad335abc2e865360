"""What one findings partition per scan costs the queries as scans accumulate.

Creates finished scans (each with its own finalized partition and a few
findings) in steps up to ``--scans``, and at each step times, over the same
connection Django uses:

- ``scan_page``: a scan's first findings page (``scan_id = X ORDER BY
  severity DESC, id LIMIT 51``), the query every findings page runs; it
  prunes to one partition, so only planning can grow with the count.
- ``org_lookup``: the same value across an organisation's scans
  (``organization_id = O AND value_hash = H``), which cannot prune by scan
  and plans for every partition.

Then folds them all into archives of 100 scans (``dataguardian.scans.compaction``,
what the maintenance task does an hour after a scan ends) and times both again.

    .venv/bin/python bench/partitions.py [--scans 3000] [--steps 100,1000,3000]

Uses BENCH_PARTITIONS_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/dg_bench_partitions, created and migrated).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("BENCH_PARTITIONS_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/dg_bench_partitions")
FINDINGS_PER_SCAN = 20
ORGS = 10


def setup_django() -> None:
    from bench.lib.pg import ensure_database, migrate

    ensure_database(DATABASE_URL, recreate=True)  # a clean count of partitions each run
    migrate(DATABASE_URL)
    os.environ.update({"DATABASE_URL": DATABASE_URL, "DEBUG": "true", "DEBUG_TOOLBAR": "false",
                       "LOG_LEVEL": "WARNING"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataguardian.settings")
    import django

    django.setup()


def add_scans(count: int, start: int) -> None:
    """``count`` finished scans spread over ORGS organisations, each partition finalized."""
    from django.db import transaction
    from django.db.models import F

    from dataguardian.orgs.models import Organization
    from dataguardian.scans.models import Finding, Scan
    from dataguardian.scans.services import partition_lifecycle

    orgs = [Organization.objects.get_or_create(slug=f"bench-part-{i}", defaults={"name": f"Org {i}"})[0]
            for i in range(ORGS)]
    for n in range(start, start + count):
        org = orgs[n % ORGS]
        with transaction.atomic():
            scan = Scan.objects.create(organization=org, kind="documents", source=f"scan {n}",
                                       status="completed")
            partition_lifecycle.on_scan_created(scan)
            Scan.objects.filter(pk=scan.pk).update(finished_at=F("created_at"))
            Finding.objects.bulk_create([
                Finding(scan=scan, organization=org, entity="EMAIL", category="user.contact.email",
                        severity=1 + i % 4, confidence=0.9, masked_value="j***@example.nl", path="a.txt",
                        value_hash=hashlib.sha256(f"{n}-{i}".encode()).hexdigest())
                for i in range(FINDINGS_PER_SCAN)])
        partition_lifecycle.on_scan_finished(scan.pk)


def timed_ms(sql: str, params: list, repeat: int = 30) -> tuple[float, float]:
    """Median planning and execution time (EXPLAIN ANALYZE) in ms."""
    import json

    from django.db import connection

    planning, execution = [], []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            planning.append(plan[0]["Planning Time"])
            execution.append(plan[0]["Execution Time"])
    return statistics.median(planning), statistics.median(execution)


def measure() -> dict[str, tuple[float, float] | str]:
    """Each query's (planning ms, execution ms), or the error it failed with."""
    from django.db import DatabaseError

    from dataguardian.scans.models import Finding, Scan

    scan = Scan.objects.filter(source__startswith="scan ").order_by("-pk").first()
    value = Finding.objects.filter(scan=scan).values_list("value_hash", flat=True)[0]
    queries = {
        "scan_page": ("SELECT id FROM scans_finding WHERE scan_id = %s ORDER BY severity DESC, id LIMIT 51",
                      [scan.pk]),
        "org_lookup": ("SELECT scan_id FROM scans_finding WHERE organization_id = %s AND value_hash = %s",
                       [scan.organization_id, value]),
    }
    results: dict[str, tuple[float, float] | str] = {}
    for name, (sql, params) in queries.items():
        try:
            results[name] = timed_ms(sql, params)
        except DatabaseError as exc:
            results[name] = str(exc).splitlines()[0]
    return results


def shown(result: tuple[float, float] | str) -> str:
    if isinstance(result, str):
        return f"FAILED ({result})"
    return f"plan {result[0]:.2f} ms + run {result[1]:.2f} ms"


def total(result: tuple[float, float] | str) -> str:
    return "-1" if isinstance(result, str) else f"{sum(result):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scans", type=int, default=3000)
    parser.add_argument("--steps", default="100,1000,3000")
    args = parser.parse_args()
    setup_django()
    from dataguardian.scans import compaction, partitions

    if not partitions.enabled():
        raise SystemExit("bench/partitions.py needs PostgreSQL with migration scans.0005 applied")
    have, results = 0, {}
    for step in [int(s) for s in args.steps.split(",") if int(s) <= args.scans]:
        started = time.perf_counter()
        add_scans(step - have, have)
        have = step
        results[step] = measure()
        print(f"{step:>6} partitions (built in {time.perf_counter() - started:.0f} s): "
              f"scan page {shown(results[step]['scan_page'])}; "
              f"org lookup {shown(results[step]['org_lookup'])}")
    started = time.perf_counter()
    folded = 0
    while done := compaction.compact(older_than=timedelta(0)):
        folded += done
    compacted = measure()
    print(f"compacted {folded} scans into {len(partitions.archives())} archives in "
          f"{time.perf_counter() - started:.0f} s: scan page {shown(compacted['scan_page'])}; "
          f"org lookup {shown(compacted['org_lookup'])}")
    last = results[have]
    print(f"BENCH partitions partitions={have} scan_page_ms={total(last['scan_page'])} "
          f"org_lookup_ms={total(last['org_lookup'])} scan_page_compacted_ms={total(compacted['scan_page'])} "
          f"org_lookup_compacted_ms={total(compacted['org_lookup'])}")
    print("(-1: the query failed; the line above says why)")


if __name__ == "__main__":
    main()
