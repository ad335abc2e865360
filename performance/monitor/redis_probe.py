"""Redis's side (the cache's server): memory, operations per second, hit ratio, evictions, clients.

Through the cache's circuit breaker (``run_on_redis``): nothing when there is
no Redis or it is down. Hit ratio and evictions are the change since the
previous reading. The cache namespaces' own counters (hits and misses per
namespace, aggregated in Redis by ``caching.stats``) come along, as totals:
the cache hit-rate rule takes their change over its window.
"""

from __future__ import annotations

from typing import Any

from performance import conf
from performance.caching.redis_access import run_on_redis
from performance.caching.stats import namespace_stats


def _info(client, make_key) -> dict:
    return client.info()


class RedisProbe:
    def __init__(self) -> None:
        self.last: tuple | None = None

    def read(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        source, namespaces = namespace_stats(list(conf.cache_namespaces()))
        if source == "redis":
            for name, figures in namespaces.items():
                values[f"cache_hits.{name}"] = figures["hits"]
                values[f"cache_misses.{name}"] = figures["misses"]
        info = run_on_redis(_info)
        if info is None:
            return values
        hits, misses = info.get("keyspace_hits", 0), info.get("keyspace_misses", 0)
        evicted = info.get("evicted_keys", 0)
        values.update({
            "redis_used_memory_bytes": info.get("used_memory", 0),
            "redis_maxmemory_bytes": info.get("maxmemory", 0),
            "redis_ops_s": info.get("instantaneous_ops_per_sec", 0),
            "redis_clients": info.get("connected_clients", 0),
        })
        if self.last is not None:
            d_hits, d_misses = hits - self.last[0], misses - self.last[1]
            if d_hits >= 0 and d_misses >= 0:
                lookups = d_hits + d_misses
                values["redis_hit_ratio"] = round(d_hits / lookups, 4) if lookups else None
                values["redis_evictions"] = max(0, evicted - self.last[2])
        self.last = (hits, misses, evicted)
        return values
