"""pg_stat_statements snapshots, stored as deltas between two snapshots.

``take_snapshot()`` reads the cumulative counters of the current database's
statements, subtracts the previous snapshot's (kept as ``baseline`` on the
latest :class:`~performance.models.QueryStatSnapshot` only) and stores the
top PERFORMANCE_PGSS_TOP statements of the interval by execution time. The
first snapshot only takes the baseline. A counter that went down means
pg_stat_statements was reset: the current values are then the delta.

Without the extension (not PostgreSQL, not preloaded, not created in this
database) ``status()`` says which, and ``take_snapshot()`` returns that
status without touching anything.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import connections, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from performance import conf
from performance.db.fingerprint import mask_example

logger = logging.getLogger(__name__)

# Serialises concurrent snapshots (two beat runs) on the same database.
LOCK_KEY = 0x5047_5353  # "PGSS"
COUNTERS = ("calls", "total_ms", "rows", "shared_blks_hit", "shared_blks_read")

_STATEMENTS_SQL = """
SELECT s.queryid, s.userid, s.calls, s.total_exec_time, s.rows, s.shared_blks_hit, s.shared_blks_read,
       s.query
  FROM pg_stat_statements AS s
 WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND s.queryid IS NOT NULL
"""


def status(using: str = "default") -> dict[str, Any]:
    """``{"available": bool, "reason": str}``: can snapshots be taken here?"""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return {"available": False, "reason": f"pg_stat_statements needs PostgreSQL, not {connection.vendor}"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
            installed = cursor.fetchone() is not None
            cursor.execute("SELECT current_setting('shared_preload_libraries')")
            preload = cursor.fetchone()[0]
    except DatabaseError as exc:
        return {"available": False, "reason": f"could not ask PostgreSQL: {exc}"}
    if "pg_stat_statements" not in [lib.strip() for lib in preload.split(",")]:
        return {"available": False, "reason": "pg_stat_statements is not in shared_preload_libraries "
                "(set it and restart PostgreSQL; see .ci/enable-pg-stat-statements)"}
    if not installed:
        return {"available": False, "reason": "the extension is not created in this database "
                "(CREATE EXTENSION pg_stat_statements)"}
    return {"available": True, "reason": ""}


def _key(queryid: int, userid: int) -> str:
    return f"{queryid}:{userid}"


def _read(cursor) -> dict[str, dict[str, Any]]:
    cursor.execute(_STATEMENTS_SQL)
    current = {}
    for queryid, userid, calls, total, rows, hit, read, query in cursor.fetchall():
        current[_key(queryid, userid)] = {
            "queryid": queryid, "calls": calls, "total_ms": float(total), "rows": rows,
            "shared_blks_hit": hit, "shared_blks_read": read, "query": query,
        }
    return current


def _deltas(current: dict, baseline: dict) -> tuple[list[dict], bool]:
    deltas, reset = [], False
    for key, now in current.items():
        before = baseline.get(key)
        values = [now[c] for c in COUNTERS]
        if before is not None:
            if any(v < b for v, b in zip(values, before, strict=True)):
                reset = True  # counters went back: this entry started again from zero
            else:
                values = [v - b for v, b in zip(values, before, strict=True)]
        if values[0] > 0:
            deltas.append({"queryid": now["queryid"], "query": now["query"],
                           **dict(zip(COUNTERS, values, strict=True))})
    return deltas, reset


def take_snapshot(using: str | None = None) -> dict[str, Any]:
    """Take one snapshot; return ``{"taken": bool, "reason"?, "snapshot_id"?, "deltas"?}``."""
    from performance.models import QueryStatDelta, QueryStatSnapshot

    using = using or conf.get("PERFORMANCE_DB_ALIAS")
    state = status(using)
    if not state["available"]:
        logger.info("pg_stat_statements snapshot skipped: %s", state["reason"])
        return {"taken": False, "reason": state["reason"]}
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            current = _read(cursor)
        previous = QueryStatSnapshot.objects.using(using).order_by("-taken_at", "-id").first()
        baseline = previous.baseline if previous else {}
        deltas, reset = _deltas(current, baseline) if previous else ([], False)
        deltas.sort(key=lambda d: d["total_ms"], reverse=True)
        now = timezone.now()
        snapshot = QueryStatSnapshot.objects.using(using).create(
            interval_s=(now - previous.taken_at).total_seconds() if previous else None,
            statements=len(current), calls=sum(d["calls"] for d in deltas),
            total_ms=sum(d["total_ms"] for d in deltas), reset_detected=reset,
            baseline={k: [v[c] for c in COUNTERS] for k, v in current.items()},
        )
        QueryStatDelta.objects.using(using).bulk_create([
            QueryStatDelta(
                snapshot=snapshot, queryid=d["queryid"], query=mask_example(d["query"]), calls=d["calls"],
                total_ms=d["total_ms"], mean_ms=d["total_ms"] / d["calls"], rows=d["rows"],
                shared_blks_hit=d["shared_blks_hit"], shared_blks_read=d["shared_blks_read"],
            )
            for d in deltas[: conf.get("PERFORMANCE_PGSS_TOP")]
        ])
        if previous:
            # Only the latest snapshot needs the counters.
            QueryStatSnapshot.objects.using(using).filter(pk__lt=snapshot.pk).exclude(baseline={}).update(
                baseline={}
            )
        cutoff = now - timedelta(days=conf.get("PERFORMANCE_PGSS_RETENTION_DAYS"))
        QueryStatSnapshot.objects.using(using).filter(taken_at__lt=cutoff).delete()
    return {"taken": True, "snapshot_id": snapshot.pk, "baseline_only": previous is None,
            "deltas": len(deltas), "reset_detected": reset}
