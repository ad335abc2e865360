"""Readiness checks for ``/readyz``: the database, the cache and the Celery broker, each timed.

Each check answers ``{"status": "ok"|"error", "latency_ms": float, ...}``;
an error names the exception's type only (a message could hold a host name
or credentials). ``readiness()`` is ready when every check is ok.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connections

from performance import conf
from performance.caching.redis_access import cache_backend


def _timed(check) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        result = check() or {}
        result.setdefault("status", "ok")
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        result = {"status": "error", "error": type(exc).__name__}
    result["latency_ms"] = round((time.perf_counter() - start) * 1000, 2)
    return result


def check_database(alias: str = "default") -> dict[str, Any]:
    def check():
        connection = connections[alias]
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        finally:
            connection.close()  # give a pooled connection back; drop a broken one
        return {"vendor": connection.vendor}

    return _timed(check)


def check_cache() -> dict[str, Any]:
    def check():
        cache = cache_backend()
        runner = getattr(cache, "run_raw", None)
        if runner is None:
            if getattr(getattr(cache, "client", None), "get_client", None) is None:
                return {"backend": "local"}
            cache.client.get_client(write=False).ping()
            return {"backend": "redis"}
        if runner(lambda client, make_key: client.ping()) is None:
            raise ConnectionError("Redis did not answer (the cache serves from its in-process fallback)")
        return {"backend": "redis"}

    return _timed(check)


def check_broker() -> dict[str, Any]:
    from performance.monitor.broker import ping

    return _timed(lambda: ping(conf.get("PERFORMANCE_READYZ_TIMEOUT")))


def readiness() -> tuple[bool, dict[str, Any]]:
    checks = {
        "database": check_database(conf.get("PERFORMANCE_DB_ALIAS")),
        "cache": check_cache(),
        "broker": check_broker(),
    }
    return all(c["status"] == "ok" for c in checks.values()), checks
