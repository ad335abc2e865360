"""Cache statistics per namespace, cheap on the request path.

Each process counts in memory and, at most every
PERFORMANCE_CACHE_STATS_FLUSH_INTERVAL seconds, adds its counts to one Redis
hash per namespace with a single pipelined batch of HINCRBY, so the figures
are aggregated across processes. If Redis is unavailable the counts stay
pending in memory and go out with the next successful flush. Each operation
is also added to the current request's or task's scope, whose span records
the cache calls and their time.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections import Counter, defaultdict
from typing import Any

from performance import conf
from performance.caching.outcome import ERROR, FALLBACK
from performance.db.recorder import count_cache_call

FIELDS = ("hits", "misses", "sets", "deletes", "invalidations", "waits", "errors", "fallback",
          "ops", "latency_us")
_KIND_FIELD = {"hit": "hits", "miss": "misses", "set": "sets", "delete": "deletes",
               "invalidate": "invalidations", "wait": "waits"}
STATS_KEY = "perfstats:{}"

_lock = threading.Lock()
_pending: dict[str, Counter] = defaultdict(Counter)  # not yet flushed to Redis
_totals: dict[str, Counter] = defaultdict(Counter)  # this process, since start
_next_flush = 0.0


def flush_interval() -> float:
    return float(conf.get("PERFORMANCE_CACHE_STATS_FLUSH_INTERVAL"))


def record(namespace: str, kind: str, seconds: float, outcome: str) -> None:
    """Count one operation (and add it to the request's or task's span); flush when it is time."""
    if kind != "wait":
        count_cache_call(seconds)
    with _lock:
        for counters in (_pending[namespace], _totals[namespace]):
            counters[_KIND_FIELD[kind]] += 1
            if kind != "wait":
                counters["ops"] += 1
                counters["latency_us"] += int(seconds * 1_000_000)
            if outcome == ERROR:
                counters["errors"] += 1
            if outcome in (ERROR, FALLBACK):
                counters["fallback"] += 1
    if time.monotonic() >= _next_flush:
        flush()


def flush() -> bool:
    """Push pending counts to Redis in one pipeline; True if they went out."""
    global _next_flush
    from performance.caching.redis_access import run_on_redis

    with _lock:
        _next_flush = time.monotonic() + flush_interval()
        batch = {ns: counters for ns, counters in _pending.items() if counters}
        _pending.clear()
    if not batch:
        return True

    def push(client, make_key) -> bool:
        pipe = client.pipeline(transaction=False)
        for ns, counters in batch.items():
            key = make_key(STATS_KEY.format(ns))
            for field, amount in counters.items():
                pipe.hincrby(key, field, amount)
        pipe.execute()
        return True

    if run_on_redis(push) is not None:
        return True
    with _lock:  # Redis unavailable: keep the counts for the next flush
        for ns, counters in batch.items():
            _pending[ns].update(counters)
    return False


def _summarise(counters: dict[str, int]) -> dict[str, Any]:
    figures = {field: int(counters.get(field, 0)) for field in FIELDS}
    lookups = figures["hits"] + figures["misses"]
    figures["hit_rate"] = round(figures["hits"] / lookups, 4) if lookups else None
    ops, latency_us = figures.pop("ops"), figures.pop("latency_us")
    figures["avg_latency_ms"] = round(latency_us / ops / 1000, 3) if ops else None
    return figures


def namespace_stats(names: list[str]) -> tuple[str, dict[str, dict[str, Any]]]:
    """("redis", aggregated figures) or ("process", this process's figures)."""
    from performance.caching.redis_access import run_on_redis

    flush()

    def read(client, make_key):
        pipe = client.pipeline(transaction=False)
        for ns in names:
            pipe.hgetall(make_key(STATS_KEY.format(ns)))
        return pipe.execute()

    rows = run_on_redis(read)
    if rows is not None:
        pairs = zip(names, rows, strict=True)
        return "redis", {ns: _summarise({k.decode(): int(v) for k, v in row.items()}) for ns, row in pairs}
    with _lock:
        return "process", {ns: _summarise(_totals[ns]) for ns in names}


def reset() -> None:
    """Forget every count, here and in Redis (for tests and benches)."""
    from performance.caching.redis_access import run_on_redis

    with _lock:
        _pending.clear()
        _totals.clear()
    names = list(conf.cache_namespaces())
    run_on_redis(lambda client, make_key: client.delete(*[make_key(STATS_KEY.format(n)) for n in names]))


atexit.register(flush)
