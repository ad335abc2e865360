"""The in-memory buffer of query aggregates, and its batched upsert.

One process-wide :data:`buffer` holds slow-query, N+1 and per-source
rollup aggregates keyed by (fingerprint hash, source) or (source, hour).
``flush()`` swaps it out under the lock and upserts every entry in one
transaction (``INSERT ... ON CONFLICT DO UPDATE``, adding counts and keeping
maxima), so the database sees one statement per table per interval rather
than a row per query. If the write fails the entries are merged back and
tried again next time; the buffer is capped (PERFORMANCE_DB_BUFFER_MAX_KEYS)
so a database that stays away cannot grow it without bound.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from time import time

from django.db import connections, transaction

from performance import conf
from performance.outage import OutageLog

logger = logging.getLogger(__name__)
writes = OutageLog(logger, "could not write query statistics")


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


class Buffer:
    """Thread-safe aggregates waiting to be written. Times are epoch seconds."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.slow: dict[tuple[str, str], dict] = {}
        self.n_plus_one: dict[tuple[str, str], dict] = {}
        self.rollups: dict[tuple[str, int], dict] = {}
        self.last_flush = time()
        self.dropped = 0

    def size(self) -> int:
        return len(self.slow) + len(self.n_plus_one) + len(self.rollups)

    def _has_room(self, table: dict, key) -> bool:
        if key in table or self.size() < conf.get("PERFORMANCE_DB_BUFFER_MAX_KEYS"):
            return True
        self.dropped += 1
        return False

    def add_slow(self, key: str, source: str, shape: str, example: str, ms: float, plan: str = "") -> None:
        now = time()
        with self.lock:
            entry = self.slow.get((key, source))
            if entry is None:
                if self._has_room(self.slow, (key, source)):
                    self.slow[(key, source)] = {
                        "fingerprint": shape, "example": example, "calls": 1, "total_ms": ms,
                        "max_ms": ms, "first_seen": now, "last_seen": now, "explain": plan,
                    }
                return
            entry["calls"] += 1
            entry["total_ms"] += ms
            entry["max_ms"] = max(entry["max_ms"], ms)
            entry["last_seen"] = now
            entry["explain"] = entry["explain"] or plan

    def has_plan(self, key: str, source: str) -> bool:
        entry = self.slow.get((key, source))
        return bool(entry and entry["explain"])

    def add_n_plus_one(self, key: str, source: str, shape: str, example: str, repeats: int,
                       total_ms: float = 0.0) -> None:
        now = time()
        with self.lock:
            entry = self.n_plus_one.get((key, source))
            if entry is None:
                if self._has_room(self.n_plus_one, (key, source)):
                    self.n_plus_one[(key, source)] = {
                        "fingerprint": shape, "example": example, "occurrences": 1,
                        "max_repeats": repeats, "max_total_ms": total_ms, "first_seen": now, "last_seen": now,
                    }
                return
            entry["occurrences"] += 1
            entry["max_repeats"] = max(entry["max_repeats"], repeats)
            entry["max_total_ms"] = max(entry["max_total_ms"], total_ms)
            entry["last_seen"] = now

    def add_rollup(self, source: str, kind: str, queries: int, ms: float) -> None:
        hour = int(time() // 3600 * 3600)
        with self.lock:
            entry = self.rollups.get((source, hour))
            if entry is None:
                if self._has_room(self.rollups, (source, hour)):
                    self.rollups[(source, hour)] = {
                        "kind": kind, "scopes": 1, "queries": queries, "db_ms": ms, "max_queries": queries,
                    }
                return
            entry["scopes"] += 1
            entry["queries"] += queries
            entry["db_ms"] += ms
            entry["max_queries"] = max(entry["max_queries"], queries)

    def due(self, now: float, interval: float) -> bool:
        size = self.size()
        if not size:
            return False
        return now - self.last_flush >= interval or size >= conf.get("PERFORMANCE_DB_BUFFER_MAX_KEYS") * 0.8

    def take(self) -> tuple[dict, dict, dict]:
        with self.lock:
            taken = (self.slow, self.n_plus_one, self.rollups)
            self.slow, self.n_plus_one, self.rollups = {}, {}, {}
            self.last_flush = time()
        return taken

    def put_back(self, slow: dict, n_plus_one: dict, rollups: dict) -> None:
        """Merge entries whose write failed back in (newer entries win on text)."""
        with self.lock:
            for key, old in slow.items():
                new = self.slow.setdefault(key, old)
                if new is not old:
                    new["calls"] += old["calls"]
                    new["total_ms"] += old["total_ms"]
                    new["max_ms"] = max(new["max_ms"], old["max_ms"])
                    new["first_seen"] = min(new["first_seen"], old["first_seen"])
            for key, old in n_plus_one.items():
                new = self.n_plus_one.setdefault(key, old)
                if new is not old:
                    new["occurrences"] += old["occurrences"]
                    new["max_repeats"] = max(new["max_repeats"], old["max_repeats"])
                    new["max_total_ms"] = max(new["max_total_ms"], old["max_total_ms"])
                    new["first_seen"] = min(new["first_seen"], old["first_seen"])
            for key, old in rollups.items():
                new = self.rollups.setdefault(key, old)
                if new is not old:
                    for name in ("scopes", "queries", "db_ms"):
                        new[name] += old[name]
                    new["max_queries"] = max(new["max_queries"], old["max_queries"])

    def clear(self) -> None:
        self.take()
        self.dropped = 0


buffer = Buffer()


def upsert(cursor, connection, table: str, keys: list[str], columns: list[str], merge: dict[str, str],
            rows: list[tuple]) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET col = <merge expression>.

    In ``merge`` expressions ``{old}`` is the stored column, ``{new}`` the
    incoming one and ``{max}`` the vendor's two-argument maximum.
    """
    quote = connection.ops.quote_name
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    names = ", ".join(quote(c) for c in keys + columns)
    marks = ", ".join(["%s"] * (len(keys) + len(columns)))
    updates = ", ".join(
        f"{quote(col)} = " + expr.format(old=f"{quote(table)}.{quote(col)}", new=f"EXCLUDED.{quote(col)}",
                                          max=greatest)
        for col, expr in merge.items()
    )
    sql = (
        f"INSERT INTO {quote(table)} ({names}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {updates}"
    )
    cursor.executemany(sql, rows)


def flush(alias: str = "default") -> bool:
    """Write and empty the buffer; True when rows were written. Never raises."""
    from performance.models import NPlusOne, QueryRollup, SlowQuery

    connection = connections[alias]
    if connection.vendor not in {"postgresql", "sqlite"}:
        buffer.clear()
        return False
    slow, n_plus_one, rollups = buffer.take()
    if not (slow or n_plus_one or rollups):
        return False
    try:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            if slow:
                upsert(
                    cursor, connection, SlowQuery._meta.db_table, ["fingerprint_hash", "source"],
                    ["fingerprint", "example", "calls", "total_ms", "max_ms", "explain", "first_seen",
                     "last_seen"],
                    {"calls": "{old} + {new}", "total_ms": "{old} + {new}", "max_ms": "{max}({old}, {new})",
                     "last_seen": "{max}({old}, {new})", "example": "{new}",
                     "explain": "CASE WHEN {new} <> '' THEN {new} ELSE {old} END"},
                    [(k, s, e["fingerprint"], e["example"], e["calls"], e["total_ms"], e["max_ms"],
                      e["explain"], _at(e["first_seen"]), _at(e["last_seen"])) for (k, s), e in slow.items()],
                )
            if n_plus_one:
                upsert(
                    cursor, connection, NPlusOne._meta.db_table, ["fingerprint_hash", "source"],
                    ["fingerprint", "example", "occurrences", "max_repeats", "max_total_ms", "first_seen",
                     "last_seen"],
                    {"occurrences": "{old} + {new}", "max_repeats": "{max}({old}, {new})",
                     "max_total_ms": "{max}({old}, {new})", "last_seen": "{max}({old}, {new})",
                     "example": "{new}"},
                    [(k, s, e["fingerprint"], e["example"], e["occurrences"], e["max_repeats"],
                      e["max_total_ms"], _at(e["first_seen"]), _at(e["last_seen"]))
                     for (k, s), e in n_plus_one.items()],
                )
            if rollups:
                upsert(
                    cursor, connection, QueryRollup._meta.db_table, ["source", "hour"],
                    ["kind", "scopes", "queries", "db_ms", "max_queries"],
                    {"scopes": "{old} + {new}", "queries": "{old} + {new}", "db_ms": "{old} + {new}",
                     "max_queries": "{max}({old}, {new})"},
                    [(s, _at(h), e["kind"], e["scopes"], e["queries"], e["db_ms"], e["max_queries"])
                     for (s, h), e in rollups.items()],
                )
    except Exception as exc:  # noqa: BLE001 - statistics must never break a request
        writes.failed(exc)
        buffer.put_back(slow, n_plus_one, rollups)
        return False
    writes.succeeded()
    return True
