"""The span recorder: per-process histograms per (kind, name, minute), flushed in batches.

A span is one request, task, queue wait or ``@profiled`` call: its kind,
its name (route pattern, task name, dotted function name), how long it took,
whether it failed, and the queries, database time and cache calls it made
(read from the ``performance.db`` scope). :data:`recorder` adds it to a
:class:`SpanStats` under one lock — a few counters and a log-scale
histogram bucket — and the flusher thread takes the table every few seconds
(``profiling.flusher``). Nothing here touches the database.

:data:`active` maps a thread to the outermost span it is in; the stack
sampler reads it to know whose stacks it is looking at.
"""

from __future__ import annotations

import threading
from time import perf_counter, time

from performance.profiling import conf
from performance.profiling.histogram import bucket

UNRESOLVED = "unresolved"  # a request that matched no route


class SpanStats:
    """One (kind, name, minute) of one process."""

    __slots__ = ("count", "errors", "total_s", "max_s", "db_s", "queries", "cache_calls", "cache_s",
                 "histogram")

    def __init__(self) -> None:
        self.count = self.errors = self.queries = self.cache_calls = 0
        self.total_s = self.max_s = self.db_s = self.cache_s = 0.0
        self.histogram: dict[int, int] = {}

    def add(self, other: SpanStats) -> None:
        self.count += other.count
        self.errors += other.errors
        self.total_s += other.total_s
        self.max_s = max(self.max_s, other.max_s)
        self.db_s += other.db_s
        self.queries += other.queries
        self.cache_calls += other.cache_calls
        self.cache_s += other.cache_s
        for index, n in other.histogram.items():
            self.histogram[index] = self.histogram.get(index, 0) + n


class SpanRecorder:
    """The process's span table. Thread-safe; bounded by PERFORMANCE_SPAN_MAX_KEYS."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.table: dict[tuple[str, str, int], SpanStats] = {}
        self.dropped = 0
        self.max_keys = conf.DEFAULTS["PERFORMANCE_SPAN_MAX_KEYS"]

    def record(self, kind: str, name: str, seconds: float, error: bool = False, db_s: float = 0.0,
               queries: int = 0, cache_calls: int = 0, cache_s: float = 0.0) -> None:
        key = (kind, name, int(time() // 60))
        index = bucket(seconds)
        with self.lock:
            stats = self.table.get(key)
            if stats is None:
                if len(self.table) >= self.max_keys:
                    self.dropped += 1
                    return
                stats = self.table[key] = SpanStats()
            stats.count += 1
            stats.total_s += seconds
            if seconds > stats.max_s:
                stats.max_s = seconds
            if error:
                stats.errors += 1
            if queries:
                stats.queries += queries
                stats.db_s += db_s
            if cache_calls:
                stats.cache_calls += cache_calls
                stats.cache_s += cache_s
            histogram = stats.histogram
            histogram[index] = histogram.get(index, 0) + 1

    def take(self) -> tuple[dict[tuple[str, str, int], SpanStats], int]:
        """The table and the count of dropped spans since the last take, both reset."""
        max_keys = conf.get("PERFORMANCE_SPAN_MAX_KEYS")
        with self.lock:
            table, dropped = self.table, self.dropped
            self.table, self.dropped = {}, 0
            self.max_keys = max_keys
        return table, dropped

    def put_back(self, table: dict[tuple[str, str, int], SpanStats]) -> None:
        """Merge a table whose write failed back in (it goes out with the next flush)."""
        with self.lock:
            for key, stats in table.items():
                mine = self.table.get(key)
                if mine is None:
                    if len(self.table) < self.max_keys:
                        self.table[key] = stats
                    else:
                        self.dropped += stats.count
                else:
                    mine.add(stats)

    def reset(self) -> None:
        self.lock = threading.Lock()  # also after a fork, where another thread may have held it
        self.table, self.dropped = {}, 0


recorder = SpanRecorder()

# Thread id -> the outermost span it is in (an object with ``kind`` and ``span``).
active: dict[int, object] = {}


class Owner:
    """What :data:`active` holds for a span that has no ``performance.db`` scope."""

    __slots__ = ("kind", "span")

    def __init__(self, kind: str, name: str):
        self.kind = kind
        self.span = name


def record_scope(scope, error: bool, seconds: float | None = None) -> None:
    """Record a request's or task's scope (``performance.db.recorder.Scope``) as its span."""
    duration = perf_counter() - scope.start if seconds is None else seconds
    recorder.record(scope.kind, scope.span, duration, error, scope.seconds, scope.queries,
                    scope.cache_calls, scope.cache_s)


def enabled() -> bool:
    return conf.get("PERFORMANCE_PROFILING")
