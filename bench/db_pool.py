"""Connection pool vs persistent connections vs a new connection per request.

Drives a database-backed page (``/healthz``: a connection checkout and a
query) with 100 concurrent keep-alive clients against gunicorn with the
production worker settings, three times in one run:

- pool:        DB_POOL=true (psycopg_pool, Django's native pool)
- persistent:  DB_POOL=false DB_CONN_MAX_AGE=600 (one connection kept per thread)
- fresh:       DB_POOL=false DB_CONN_MAX_AGE=0 (connect and disconnect per request)

    .venv/bin/python bench/db_pool.py [--rounds 2] [--duration 15] [--concurrency 100] [--path /healthz]

The modes run in ``--rounds`` rounds, each round in a rotated order, and
each mode's median round is reported, so that load drifting on a shared
machine does not favour whichever mode runs first.

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dg_bench).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.modes import PRODUCTION_WORKERS, line, measure  # noqa: E402
from bench.lib.pg import bench_database_url, ensure_database, migrate  # noqa: E402

MODES = {
    "pool": {"DB_POOL": "true"},
    "persistent": {"DB_POOL": "false", "DB_CONN_MAX_AGE": "600"},
    "fresh": {"DB_POOL": "false", "DB_CONN_MAX_AGE": "0"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--path", default="/healthz")
    args = parser.parse_args()

    url = bench_database_url()
    ensure_database(url)
    migrate(url)
    print(f"gunicorn {PRODUCTION_WORKERS}, {args.concurrency} clients, {args.duration:.0f}s per mode, "
          f"GET {args.path}, database {url}")
    runs: dict[str, list] = {mode: [] for mode in MODES}
    names = list(MODES)
    for round_no in range(args.rounds):
        for mode in names[round_no % 3:] + names[:round_no % 3]:
            result = measure({"DATABASE_URL": url, **MODES[mode]}, args.path, args.concurrency,
                             args.duration, args.warmup)
            runs[mode].append(result)
            print(line(f"{mode} #{round_no + 1}", result), flush=True)
    # The median round of each mode (the lower middle one for an even count).
    results = {mode: sorted(r, key=lambda x: x.rps)[(len(r) - 1) // 2] for mode, r in runs.items()}
    for mode, result in results.items():
        if result.errors or result.non_2xx:
            print(f"warning: {mode} had {result.errors} errors and {result.non_2xx} non-2xx responses")
    pool, persistent, fresh = (results[m] for m in MODES)
    print(f"p50 ms: pool {pool.p50_ms:.1f}, persistent {persistent.p50_ms:.1f}, fresh {fresh.p50_ms:.1f}; "
          f"p99 ms: pool {pool.p99_ms:.1f}, persistent {persistent.p99_ms:.1f}, fresh {fresh.p99_ms:.1f}")
    print(f"ratios: pool/fresh {pool.rps / fresh.rps:.2f}x, pool/persistent {pool.rps / persistent.rps:.2f}x")
    print(
        f"BENCH db_pool pool_rps={pool.rps:.1f} persistent_rps={persistent.rps:.1f} "
        f"fresh_rps={fresh.rps:.1f} pool_vs_fresh={pool.rps / fresh.rps:.2f} "
        f"pool_vs_persistent={pool.rps / persistent.rps:.2f} pool_p50_ms={pool.p50_ms:.1f} "
        f"pool_p99_ms={pool.p99_ms:.1f} fresh_p50_ms={fresh.p50_ms:.1f} fresh_p99_ms={fresh.p99_ms:.1f}"
    )


if __name__ == "__main__":
    main()
