"""Query cache: explicit keys with generation tokens vs django-cachalot vs naive delete-on-commit.

One expensive read-mostly query — an organisation's findings counted by
severity (its dashboard) — over 50 organisations with 2 000 findings each.

1. Race: a reader runs the query, a writer commits a change with its
   invalidation, then the reader stores what it read. How many later reads
   return the old result? (20 trials per strategy.)
2. COPY: findings written the way the scan pipeline writes them (COPY in a
   transaction). Does the next read see them?
3. Mixed load: 2 000 dashboard reads and 200 writes (bulk_create of a finding
   for a random organisation), reads and writes interleaved. Hit rate and
   mean read time per strategy, and whether any read was stale.

    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/querycache.py

Needs PostgreSQL (BENCH_DATABASE_URL, default dg_bench) and Redis (REDIS_URL).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.lib.pg import bench_database_url, ensure_database, migrate  # noqa: E402
from bench.lib.server import production_env  # noqa: E402

URL = bench_database_url()
if not os.environ.get("REDIS_URL"):
    sys.exit("bench/querycache.py needs REDIS_URL (a Redis database it may fill)")
os.environ.update(production_env(DATABASE_URL=URL, PERFORMANCE_DB_INSTRUMENTATION="false"))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_cachalot"


def main() -> None:
    ensure_database(URL)
    migrate(URL)
    import django

    django.setup()
    from bench.lib.querycache_cases import STRATEGIES, copy_case, load, mixed_case, race_case

    orgs = load()
    print(f"{len(orgs)} organisations, {orgs[0][1]:,} findings each; query = findings by severity\n")
    print(f"{'strategy':<22} {'race: stale':>12} {'COPY: stale':>12} {'hit rate':>9} {'read ms':>8} "
          f"{'stale reads':>11}")
    results = {}
    for name in STRATEGIES:
        race = race_case(name, orgs, trials=20)
        copy = copy_case(name, orgs)
        mixed = mixed_case(name, orgs, reads=2000, writes=200)
        results[name] = (race, copy, mixed)
        print(f"{name:<22} {race:>9}/20 {('yes' if copy else 'no'):>12} {mixed['hit_rate']:>8.0%} "
              f"{mixed['read_ms']:>8.2f} {mixed['stale']:>11}", flush=True)
    explicit, cachalot, naive = (results[n] for n in ("explicit_generations", "cachalot", "naive_delete"))
    explicit_stale = explicit[0] + int(explicit[1]) + explicit[2]["stale"]
    print(f"BENCH querycache explicit_hit_rate={explicit[2]['hit_rate']:.2f} "
          f"cachalot_hit_rate={cachalot[2]['hit_rate']:.2f} explicit_stale={explicit_stale} "
          f"cachalot_copy_stale={int(cachalot[1])} naive_race_stale={naive[0]} "
          f"none_read_ms={results['none'][2]['read_ms']:.2f} explicit_read_ms={explicit[2]['read_ms']:.2f} "
          f"cachalot_read_ms={cachalot[2]['read_ms']:.2f}")


if __name__ == "__main__":
    main()
