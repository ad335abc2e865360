"""How much database storage monitoring adds for a busy host, per month.

Writes ``--hours`` of a busy host's monitoring through the real write paths
(``profiling.store.write`` for spans, stacks and process samples,
``profiling.rollup`` for the span rollups, the monitor's sample insert and
``monitor.rollup`` for the host's rollups) into a scratch database, measures
each table with its indexes (``pg_total_relation_size`` after VACUUM), and
scales each table by how long it is kept (retention defaults):

- raw span, process and system samples: 24 h;
- 1-minute span and system rollups, and hourly stacks: 14 days;
- 1-hour span and system rollups: 400 days (a month adds 30 days of them);
- stack texts: one row per distinct stack, so as many as the code has paths,
  not more with time (counted at the size measured).

The busy host: 4 web and 2 worker processes; each minute every web process
serves 40 routes and 20 ``@profiled`` functions, every worker 15 tasks (and
their queue waits); 20 sampled stacks per route or task and hour a process;
a system sample every 5 s, a process sample every 10 s per process.

    .venv/bin/python bench/monitoring_storage.py [--hours 2]

Uses BENCH_STORAGE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dg_bench_monitoring_storage,
dropped and created afresh).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.lib.pg import ensure_database, migrate  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_STORAGE_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/dg_bench_monitoring_storage")
WEB, WORKERS, ROUTES, FUNCTIONS, TASKS, STACKS = 4, 2, 40, 20, 15, 20
HOST = "busy-host"
RAW_DAYS, MINUTE_DAYS, MONTH_DAYS = 1, 14, 30


def setup() -> None:
    ensure_database(DATABASE_URL, recreate=True)
    migrate(DATABASE_URL)
    os.environ.update({"DATABASE_URL": DATABASE_URL, "DJANGO_SETTINGS_MODULE": "dataguardian.settings",
                       "LOG_LEVEL": "WARNING", "DEBUG_TOOLBAR": "false"})
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def process_names(pid: int) -> list[tuple[str, str]]:
    if pid < WEB:
        return [("request", f"app:route_{i}") for i in range(ROUTES)] + \
            [("function", f"app.services.step_{i}") for i in range(FUNCTIONS)]
    return [(kind, f"app.tasks.task_{i}") for i in range(TASKS) for kind in ("task", "queue")]


def minute_of_spans(rng: random.Random, pid: int):
    from performance.profiling.spans import SpanStats

    table = {}
    for kind, name in process_names(pid):
        stats = SpanStats()
        for _ in range(rng.randint(5, 60)):
            seconds = rng.lognormvariate(-4, 1)
            stats.count += 1
            stats.total_s += seconds
            stats.max_s = max(stats.max_s, seconds)
            stats.queries += 4
            stats.db_s += seconds / 3
            from performance.profiling.histogram import bucket

            index = bucket(seconds)
            stats.histogram[index] = stats.histogram.get(index, 0) + 1
        table[(kind, name)] = stats
    return table


def stacks_of(rng: random.Random, pid: int, minute: int) -> dict:
    """A process's stacks for the hour (flushed at the hour's last minute, as hour rows take them)."""
    stacks = {}
    for kind, name in process_names(pid):
        if kind in ("request", "task"):
            base = ";".join(f"framework.layer_{d}.call" for d in range(30))
            stacks[(kind, name, minute)] = [
                (f"{base};app.views.{name.split(':')[-1]};app.selectors.part_{s};lib.leaf_{s % 7}",
                 rng.randint(1, 200)) for s in range(STACKS)]
    return stacks


def sizes() -> dict[str, tuple[int, int]]:
    """{table: (rows, bytes with indexes)} for the monitoring tables."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("""SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid)
                            FROM pg_class c WHERE c.relkind = 'r' AND c.relname IN (
                            'performance_spansample', 'performance_spanrollup', 'performance_stackrollup',
                            'performance_stacktext', 'performance_systemsample', 'performance_systemrollup',
                            'performance_processsample')""")
        return {name: (rows, size) for name, rows, size in cursor.fetchall()}


def rows_where(model, **filters) -> int:
    return model.objects.filter(**filters).count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=int, default=2)
    args = parser.parse_args()
    setup()
    from performance.models import ProcessSample, SpanRollup, SystemRollup, SystemSample
    from performance.monitor.rollup import Accumulator, write_closed_minutes
    from performance.monitor.sampler import HostMonitor
    from performance.monitoring_models import HOUR, MINUTE
    from performance.profiling.rollup import rollup_spans
    from performance.profiling.store import write

    rng = random.Random(12)
    values = HostMonitor(host=HOST).sample().values  # one real reading's figures, repeated
    processes = [{"pid": 1000 + p, "role": "web" if p < WEB else "worker", "cpu_pct": 12.5,
                  "rss_bytes": 2**27} for p in range(WEB + WORKERS)]
    start = datetime.now(tz=UTC).replace(second=0, microsecond=0) - timedelta(hours=args.hours)
    accumulator = Accumulator()
    started = time.perf_counter()
    for m in range(args.hours * 60):
        at = start + timedelta(minutes=m)
        minute = int(at.timestamp() // 60)
        last_of_hour = at.minute == 59
        for pid in range(WEB + WORKERS):
            spans = {(k, n, minute): s for (k, n), s in minute_of_spans(rng, pid).items()}
            write(spans, stacks_of(rng, pid, minute) if last_of_hour else {}, None, HOST, pid)
        ProcessSample.objects.bulk_create([
            ProcessSample(at=at + timedelta(seconds=10 * i), host=HOST, pid=pid, role="web", cpu_pct=10,
                          rss_bytes=2**27, pool_size=4, pool_max=10, pool_available=3, pool_waiting=0,
                          pool_requests=500, pool_queued=0, pool_wait_ms=0, pool_timeouts=0)
            for pid in range(WEB + WORKERS) for i in range(6)])
        samples = [SystemSample(host=HOST, at=at + timedelta(seconds=5 * i), values=values,
                                processes=processes) for i in range(12)]
        SystemSample.objects.bulk_create(samples)
        for sample in samples:
            accumulator.add(sample.at, sample.values)
        write_closed_minutes(HOST, accumulator, at + timedelta(minutes=1))
        rollup_spans()
    print(f"wrote {args.hours} h of a busy host in {time.perf_counter() - started:.0f} s")

    measured = sizes()
    hours = args.hours
    counts = {
        "performance_spanrollup": {MINUTE: rows_where(SpanRollup, resolution=MINUTE),
                                   HOUR: rows_where(SpanRollup, resolution=HOUR)},
        "performance_systemrollup": {MINUTE: rows_where(SystemRollup, resolution=MINUTE),
                                     HOUR: rows_where(SystemRollup, resolution=HOUR)},
    }
    first_month = later_month = 0.0
    print(f"{'table':<28} {'rows':>9} {'bytes/row':>10} {'kept':>22} {'first month':>12} "
          f"{'each month after':>17}")
    for table, (rows, size) in sorted(measured.items()):
        per_row = size / max(rows, 1)
        per_hour = size / hours
        if table in counts:  # minute rows kept 14 days, hour rows 400 days
            minute_rows, hour_rows = counts[table][MINUTE], counts[table][HOUR]
            minute_bytes = per_row * minute_rows / hours * 24 * MINUTE_DAYS
            hour_bytes = per_row * hour_rows / hours * 24 * MONTH_DAYS
            first, later, kept = minute_bytes + hour_bytes, hour_bytes, "1 min: 14 d, 1 h: 400 d"
        elif table == "performance_stacktext":  # one row per distinct stack: bounded by the code, not time
            first, later, kept = float(size), 0.0, "14 d unseen"
        elif table == "performance_stackrollup":
            first, later, kept = per_hour * 24 * MINUTE_DAYS, 0.0, "14 d"
        else:
            first, later, kept = per_hour * 24 * RAW_DAYS, 0.0, "24 h"
        first_month += first
        later_month += later
        print(f"{table:<28} {rows:>9} {per_row:>10.0f} {kept:>22} {first / 2**20:>10.1f} MB "
              f"{later / 2**20:>14.1f} MB")
    print(f"{'total':<28} {'':>9} {'':>10} {'':>22} {first_month / 2**20:>10.1f} MB "
          f"{later_month / 2**20:>14.1f} MB")
    print(f"BENCH monitoring_storage first_month_mb={first_month / 2**20:.0f} "
          f"later_month_mb={later_month / 2**20:.1f} year_mb={(first_month + 11 * later_month) / 2**20:.0f}")


if __name__ == "__main__":
    main()
