"""The public caching API of ``performance``.

    from performance.cache import namespace
    ns = namespace("scan_results")        # TTL from settings.PERFORMANCE_CACHE_NAMESPACES
    ns.get(key, default=None)
    ns.set(key, value, ttl=None)
    ns.get_or_set(key, fn, ttl=None)      # fn runs once under concurrent readers
    ns.delete(key)
    ns.invalidate()                       # O(1): bumps the namespace version
    ns.delete_on_commit(key)              # after commit, never on rollback
    ns.invalidate_on_commit()

Keys are strings or tuples of simple values (str, int, float, bool, UUID,
None). Values must be serialisable by the safe serializer (msgpack with
datetime, date, Decimal, UUID, tuple and set extensions — never pickle).

It runs on the Django cache named by PERFORMANCE_CACHE_ALIAS ("default"):
Redis through ``performance.caching.backend.ResilientRedisCache`` when
REDIS_URL is set, the in-process LocMemCache otherwise.
"""

from __future__ import annotations

from typing import Any

from performance.caching.namespaces import Namespace
from performance.caching.redis_access import cache_backend, run_on_redis
from performance.caching.stats import namespace_stats
from performance.conf import cache_namespaces

__all__ = ["Namespace", "namespace", "stats", "invalidate_all"]


def namespace(name: str) -> Namespace:
    """The namespace ``name``, which must be declared in PERFORMANCE_CACHE_NAMESPACES."""
    return Namespace(name)


def invalidate_all() -> None:
    """Invalidate every declared namespace (O(1) each)."""
    for name in cache_namespaces():
        Namespace(name).invalidate()


def _server_info(client, make_key) -> dict[str, Any]:
    info = client.info()
    hits, misses = info.get("keyspace_hits", 0), info.get("keyspace_misses", 0)
    db = f"db{client.connection_pool.connection_kwargs.get('db', 0)}"
    return {
        "used_memory": info.get("used_memory"),
        "used_memory_human": info.get("used_memory_human"),
        "maxmemory": info.get("maxmemory"),
        "keys": info.get(db, {}).get("keys", 0),
        "evicted_keys": info.get("evicted_keys"),
        "expired_keys": info.get("expired_keys"),
        "keyspace_hits": hits,
        "keyspace_misses": misses,
        "keyspace_hit_ratio": round(hits / (hits + misses), 4) if hits + misses else None,
        "connected_clients": info.get("connected_clients"),
        "redis_version": info.get("redis_version"),
    }


def stats() -> dict[str, Any]:
    """Figures for the dashboard.

    ``{"backend": "redis"|"fallback"|"local", "aggregated": bool,
       "namespaces": {name: {hits, misses, sets, deletes, invalidations, waits,
                             errors, fallback, hit_rate, avg_latency_ms}},
       "server": {used_memory, keys, evicted_keys, keyspace_hit_ratio, ...} or None,
       "fallback": {...} or None}``

    ``aggregated`` is True when the namespace figures come from Redis (all
    processes); otherwise they are this process's own.
    """
    source, figures = namespace_stats(list(cache_namespaces()))
    cache = cache_backend()
    health = cache.health() if hasattr(cache, "health") else None
    if health is not None:
        backend = "fallback" if health["degraded"] else "redis"
    else:
        backend = "redis" if hasattr(cache, "client") else "local"
    return {
        "backend": backend,
        "aggregated": source == "redis",
        "namespaces": figures,
        "server": run_on_redis(_server_info),
        "fallback": health,
    }
