"""Cost of the query instrumentation: the same load with the execute wrapper on and off.

Same page, workers and clients as bench/db_pool.py (pool mode), with
PERFORMANCE_DB_INSTRUMENTATION=true and =false (false installs no wrapper
and no middleware at all; spans and metrics are off on both sides, see
bench/monitoring_overhead.py for those). The two sides alternate for ``--rounds`` rounds
so that drifting machine load hits both alike; the median of each side is
compared. Target: at most 3 % throughput difference.

Then, in this process, the wrapper's own cost per query: SELECT 1 (the
cheapest query, so the worst case in percent) in alternating blocks with
and without the observer; and the same page through Django's handler (test
client) with the middleware and wrapper and without them. On a machine shared with other work the HTTP
figures swing far more than 3 % between identical runs; this one does not.

    .venv/bin/python bench/db_overhead.py [--rounds 3] [--duration 10] [--path /healthz]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.modes import PRODUCTION_WORKERS, line, measure  # noqa: E402
from bench.lib.pg import bench_database_url, ensure_database, migrate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--rounds-only", action="store_true", help="skip the in-process measurement")
    args = parser.parse_args()

    url = bench_database_url()
    ensure_database(url)
    migrate(url)
    print(f"gunicorn {PRODUCTION_WORKERS}, {args.concurrency} clients, {args.rounds} rounds of "
          f"{args.duration:.0f}s per side, GET {args.path}, database {url}")
    rps: dict[str, list[float]] = {"on": [], "off": []}
    p99: dict[str, list[float]] = {"on": [], "off": []}
    for round_no in range(args.rounds):
        # Alternate which side goes first, so neither always gets the warmer machine.
        sides = ("on", "off") if round_no % 2 == 0 else ("off", "on")
        for side in sides:
            # The query layer alone: spans and metrics (bench/monitoring_overhead.py) off on both sides.
            env = {"DATABASE_URL": url, "PERFORMANCE_DB_INSTRUMENTATION": "true" if side == "on" else "false",
                   "PERFORMANCE_PROFILING": "false", "PERFORMANCE_METRICS": "false"}
            result = measure(env, args.path, args.concurrency, args.duration, args.warmup)
            rps[side].append(result.rps)
            p99[side].append(result.p99_ms)
            print(line(f"{side} #{round_no + 1}", result), flush=True)
    on, off = statistics.median(rps["on"]), statistics.median(rps["off"])
    overhead = (off - on) / off * 100 if off else 0.0
    print(f"median req/s: on {on:.1f}, off {off:.1f}; median p99 ms: on {statistics.median(p99['on']):.1f}, "
          f"off {statistics.median(p99['off']):.1f}")
    wrapper = {"wrapper_us": float("nan"), "pct": float("nan")}
    request = {"pct": float("nan")}
    if not args.rounds_only:
        wrapper, request = wrapper_cost(url, args.path)
        print(f"in-process, GET {args.path} through Django's handler: {request['off_us']:.0f} us without "
              f"the middleware and wrapper, {request['on_us']:.0f} us with them ({request['pct']:.1f} %)")
        print(f"in-process, SELECT 1: {wrapper['off_us']:.1f} us without the wrapper, "
              f"{wrapper['on_us']:.1f} us with it: {wrapper['wrapper_us']:.2f} us per query "
              f"({wrapper['pct']:.1f} %)")
    print(f"BENCH db_overhead on_rps={on:.1f} off_rps={off:.1f} overhead_pct={overhead:.1f} "
          f"rounds={args.rounds} wrapper_us_per_query={wrapper['wrapper_us']:.2f} "
          f"select1_overhead_pct={wrapper['pct']:.1f} inprocess_request_overhead_pct={request['pct']:.1f}")


def wrapper_cost(url: str, path: str) -> tuple[dict, dict]:
    import os

    import django

    from bench.lib.server import production_env

    os.environ.update(production_env(DATABASE_URL=url, ALLOWED_HOSTS="testserver",
                                     PERFORMANCE_PROFILING="false", PERFORMANCE_METRICS="false"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataguardian.settings")
    django.setup()
    from bench.lib.wrapper_cost import measure, request_cost

    return measure(), request_cost(path)

if __name__ == "__main__":
    main()
