"""Statistics of this process's psycopg connection pool, for the dashboard.

Each worker process has its own pool (Django keeps one per alias per
process), so the figures are per process: ``pool_stats()`` says which pid
they belong to. The names follow psycopg_pool's ``get_stats()``; the four
the dashboard shows first are ``size`` (connections open), ``available``
(idle in the pool), ``waiting`` (requests queued for a connection) and
``timeouts`` (requests that gave up after the pool timeout).
"""

from __future__ import annotations

import os
from typing import Any

from django.db import connections


def pool_of(alias: str = "default"):
    """The psycopg_pool ``ConnectionPool`` behind ``alias``, or None (no pool, not PostgreSQL)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    return getattr(connection, "pool", None)


def pool_stats(alias: str = "default") -> dict[str, Any]:
    """``{"enabled", "pid", "size", "available", "waiting", "timeouts", "min_size", "max_size", ...}``.

    With no pool: ``{"enabled": False, "reason": ...}`` and nothing else.
    """
    connection = connections[alias]
    pool = pool_of(alias)
    if pool is None:
        reason = (
            f"{connection.vendor} has no connection pool" if connection.vendor != "postgresql"
            else "pooling is off (OPTIONS has no 'pool'; CONN_MAX_AGE governs connections)"
        )
        return {"enabled": False, "reason": reason, "pid": os.getpid(), "alias": alias}
    raw = pool.get_stats()
    return {
        "enabled": True,
        "pid": os.getpid(),
        "alias": alias,
        "name": pool.name,
        "open": not pool.closed,
        "min_size": raw.get("pool_min", pool.min_size),
        "max_size": raw.get("pool_max", pool.max_size),
        "size": raw.get("pool_size", 0),
        "available": raw.get("pool_available", 0),
        "waiting": raw.get("requests_waiting", 0),
        "timeouts": raw.get("requests_errors", 0),
        "timeout_s": pool.timeout,
        "requests": raw.get("requests_num", 0),
        "requests_queued": raw.get("requests_queued", 0),
        "requests_wait_ms": raw.get("requests_wait_ms", 0),
        "connections_opened": raw.get("connections_num", 0),
        "connections_ms": raw.get("connections_ms", 0),
        "connection_errors": raw.get("connections_errors", 0),
        "connections_lost": raw.get("connections_lost", 0),
        "raw": raw,
    }
