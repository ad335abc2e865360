"""Each hot query with its index and with that index dropped, in one run.

Loads 100 000 scans and 1 000 000 findings (plus organisations, users,
memberships and payments) with COPY into a dedicated database, then for each
query named by a ``Meta.indexes`` comment (scans, findings, payments,
memberships) prints the median latency with its index, then inside a
transaction that drops the index (rolled back afterwards), the ratio, and
whether EXPLAIN shows a scan of that index.

The data is skewed the way tenants are: one large organisation with 10 000
scans, one large scan with 200 000 findings; the queries target those
(the pages' worst case), which is when an index matters.

    .venv/bin/python bench/db_indexes.py [--reload] [--runs 25]

Uses BENCH_INDEXES_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dg_bench_indexes).
Target: every query >= 10x faster with its index and under 5 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

URL = os.environ.get("BENCH_INDEXES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dg_bench_indexes")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataguardian.settings")
os.environ["PERFORMANCE_DB_INSTRUMENTATION"] = "false"  # measure the queries, nothing else
os.environ["DB_STATEMENT_TIMEOUT_MS"] = "600000"

from bench.lib.pg import ensure_database, migrate  # noqa: E402
from bench.lib.server import production_env  # noqa: E402

# Production settings: with DEBUG on, Django would log every query it runs.
os.environ.update(production_env())

SCANS = 100_000
FINDINGS = 1_000_000


def setup_django(reload: bool) -> None:
    ensure_database(URL, recreate=reload)
    migrate(URL)
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reload", action="store_true", help="drop the database and load it again")
    parser.add_argument("--runs", type=int, default=25, help="timed runs per query and side")
    args = parser.parse_args()
    setup_django(args.reload)

    from bench.lib.index_data import load_if_needed
    from bench.lib.index_queries import hot_queries, measure_query

    load_if_needed(SCANS, FINDINGS)
    results = []
    print("medians: round trip (execute + fetch) and, in brackets, server execution time; ms")
    print(f"{'query':<25} {'index':<26} {'with':>15} {'without':>17} {'ratio':>7} {'trip':>6}  "
          f"index scan / without it")
    for name, index, queryset in hot_queries():
        r = measure_query(name, index, queryset, args.runs)
        results.append(r)
        print(f"{name:<25} {index:<26} {r['with_ms']:>6.2f} [{r['with_server_ms']:>6.3f}] "
              f"{r['without_ms']:>7.2f} [{r['without_server_ms']:>7.3f}] {r['ratio']:>6.1f}x "
              f"{r['trip_ratio']:>5.1f}x  {'yes' if r['index_scan'] else 'NO (' + r['plan_top'] + ')'}"
              f" / {r['fallback']}", flush=True)
    min_ratio = min(r["ratio"] for r in results)
    min_trip_ratio = min(r["trip_ratio"] for r in results)
    max_ms = max(r["with_ms"] for r in results)
    all_scans = int(all(r["index_scan"] for r in results))
    ok = min_ratio >= 10 and max_ms < 5 and all_scans
    print("ratio = server execution without / with the index; trip = the same for round trips")
    print(f"target (>= 10x and < 5 ms round trip each, index scans): {'met' if ok else 'NOT met'}")
    print(f"BENCH db_indexes queries={len(results)} min_ratio={min_ratio:.1f} max_indexed_ms={max_ms:.3f} "
          f"all_index_scans={all_scans} min_trip_ratio={min_trip_ratio:.1f} "
          f"max_indexed_server_ms={max(r['with_server_ms'] for r in results):.3f}")

if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"({time.monotonic() - started:.0f}s)", file=sys.stderr)
