"""Cache layer: database path vs Redis vs the in-process cache, then a browsing workload.

1. For a scan summary (the scan row plus its top locations, a grouped query
   over its findings) and an organisation's dashboard aggregates, time the
   uncached database path, a Redis hit and an in-process (LocMemCache) hit
   in the same run, and print the ratios.
2. Replay a browsing workload on Redis with the product's invalidation
   signals connected: many users view their organisation's scans (recent
   ones more often) and dashboard while new scans start and finish; print the
   hit rate per namespace from ``performance.cache.stats()``.

    .venv/bin/python bench/cache.py [--iterations 2000] [--requests 20000] [--warmup 3000]

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dg_bench_cache,
created and migrated) and BENCH_REDIS_URL (else REDIS_URL, else
redis://127.0.0.1:6379/6); its keys carry a per-run prefix and are removed at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.pg import bench_database_url, ensure_database, migrate  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/dg_bench_cache"


def per_call_us(fn, keys: list, iterations: int) -> float:
    started = time.perf_counter()
    for i in range(iterations):
        fn(keys[i % len(keys)])
    return (time.perf_counter() - started) / iterations * 1_000_000


def compare(label: str, compute, cache_key, keys: list, iterations: int) -> dict[str, float]:
    """Microseconds per call: database, Redis hit, in-process hit."""
    from django.test import override_settings

    from performance.cache import namespace

    ns_name, build_key = cache_key
    timings = {"db": per_call_us(compute, keys, iterations)}
    for alias in ("default", "local"):
        with override_settings(PERFORMANCE_CACHE_ALIAS=alias):
            ns = namespace(ns_name)

            def cached(k, ns=ns):
                return ns.get_or_set(build_key(k), lambda: compute(k))

            for k in keys:  # warm: every key cached once
                cached(k)
            timings["redis" if alias == "default" else "local"] = per_call_us(cached, keys, iterations)
    print(f"{label:<18} db {timings['db']:8.1f} us   redis {timings['redis']:7.1f} us   "
          f"local {timings['local']:6.1f} us   redis/db {timings['db'] / timings['redis']:6.1f}x   "
          f"local/db {timings['db'] / timings['local']:7.1f}x", flush=True)
    return timings


def replay(pairs, requests: int, warmup: int, finish_every: int, seed: int = 7) -> dict:
    """Users browse while scans finish; returns performance.cache.stats() for
    the ``requests`` after ``warmup`` (a cache that has been running a while)."""
    from bench.lib.cache_data import finish
    from dataguardian import cache_keys
    from dataguardian.scans import selectors
    from dataguardian.scans.models import Scan, ScanKind, ScanStatus
    from performance.cache import namespace, stats
    from performance.caching import stats as stats_module
    from tests.foundation.factories import make_scan

    rng = random.Random(seed)
    orgs = {org.pk: org for _, org in pairs}
    scans = {org_id: list(Scan.objects.filter(organization_id=org_id).order_by("-created_at")
                          .values_list("pk", flat=True)) for org_id in orgs}
    running: list[Scan] = []
    results = namespace("scan_results")
    stats_module.reset()
    for step in range(warmup + requests):
        if step == warmup:
            stats_module.reset()
        if step % finish_every == 0:  # a new scan starts; an earlier one finishes
            org = orgs[rng.choice(list(orgs))]
            running.append(make_scan(org, kind=ScanKind.DOCUMENTS, source="share",
                                     status=ScanStatus.RUNNING, progress_total=1))
            if len(running) > 3:
                done = running.pop(0)
                finish(done, 100, rng)
                scans[done.organization_id].insert(0, done.pk)
        user, org = rng.choice(pairs)
        if rng.random() < 0.75:  # a scan page: recent scans far more often
            ids = scans[org.pk]
            scan_id = ids[min(len(ids) - 1, int(rng.paretovariate(1.0)) - 1)]
            results.get_or_set(cache_keys.scan_summary(scan_id), lambda s=scan_id: scan_summary_db(s))
        else:
            selectors.dashboard_aggregates(org)
    return stats()


def scan_summary_db(scan_id: int) -> dict:
    """The scan summary from the database: the scan row and its grouped top locations."""
    from dataguardian.scans import selectors
    from dataguardian.scans.models import Scan

    scan = Scan.objects.get(pk=scan_id)
    summary = selectors.scan_summary(scan)
    summary["top_locations"] = selectors._top_locations(scan)  # always from the database here
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--warmup", type=int, default=3000, help="replayed requests not counted")
    parser.add_argument("--finish-every", type=int, default=50, help="requests between scan finishes")
    args = parser.parse_args()

    db_url = bench_database_url(DEFAULT_DB) if "BENCH_DATABASE_URL" in os.environ else DEFAULT_DB
    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/6"
    prefix = f"benchcache{os.getpid()}"
    ensure_database(db_url)
    migrate(db_url)
    os.environ.update({"DATABASE_URL": db_url, "REDIS_URL": redis_url, "CACHE_KEY_PREFIX": prefix,
                       "DJANGO_SETTINGS_MODULE": "dataguardian.settings", "DEBUG": "true"})
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import caches
    from django.test import override_settings

    from bench.lib.cache_data import ensure_dataset
    from dataguardian import cache_keys
    from dataguardian.scans import selectors
    from dataguardian.scans.models import Scan

    pairs = ensure_dataset(orgs=10, users_per_org=5, scans_per_org=60, findings_per_scan=300)
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": prefix,
             "OPTIONS": {"MAX_ENTRIES": 10_000}}
    orgs = sorted({org.pk: org for _, org in pairs}.values(), key=lambda o: o.pk)
    scan_ids = list(Scan.objects.filter(organization__in=orgs).values_list("pk", flat=True)[:200])
    print(f"dataset: {len(orgs)} organisations, {len(pairs)} users, {Scan.objects.count()} scans; "
          f"database {db_url}, Redis {redis_url}; {os.cpu_count()} cores (shared)")
    try:
        with override_settings(CACHES={**settings.CACHES, "local": local}):
            summary = compare("scan summary", scan_summary_db, ("scan_results", cache_keys.scan_summary),
                              scan_ids, args.iterations)
            by_pk = {o.pk: o for o in orgs}
            dashboard = compare("dashboard", lambda pk: selectors._dashboard(by_pk[pk]),
                                ("dashboard", cache_keys.dashboard), list(by_pk), args.iterations)
            figures = replay(pairs, args.requests, args.warmup, args.finish_every)
    finally:
        client = caches["default"].client.get_client()
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)
    for name, row in figures["namespaces"].items():
        if row["hits"] + row["misses"]:
            print(f"replay {name:<13} hits {row['hits']:6d}  misses {row['misses']:5d}  "
                  f"hit rate {row['hit_rate']:.3f}  avg {row['avg_latency_ms']:.3f} ms  "
                  f"errors {row['errors']}")
    health = figures["fallback"] or {}
    if health.get("outages"):
        print(f"note: Redis timed out {health['outages']} time(s) during the run (socket timeout "
              f"{settings.REDIS_SOCKET_TIMEOUT_MS} ms); each recovery invalidates every namespace")
    server = figures["server"] or {}
    print(f"redis: used_memory {server.get('used_memory_human')}, keys {server.get('keys')}, "
          f"evicted {server.get('evicted_keys')}, keyspace hit ratio {server.get('keyspace_hit_ratio')}")
    redis_vs_db = min(summary["db"] / summary["redis"], dashboard["db"] / dashboard["redis"])
    local_vs_db = min(summary["db"] / summary["local"], dashboard["db"] / dashboard["local"])
    print(f"BENCH cache redis_vs_db={redis_vs_db:.1f} local_vs_db={local_vs_db:.1f} "
          f"hit_rate_scan_results={figures['namespaces']['scan_results']['hit_rate']:.3f} "
          f"hit_rate_dashboard={figures['namespaces']['dashboard']['hit_rate']:.3f} "
          f"redis_vs_db_summary={summary['db'] / summary['redis']:.1f} "
          f"redis_vs_db_dashboard={dashboard['db'] / dashboard['redis']:.1f}")


if __name__ == "__main__":
    main()
