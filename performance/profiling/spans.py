"""The span recorder: per-process histograms per (kind, name, minute), flushed in batches.

A span is one request, task, queue wait or ``@profiled`` call: its kind,
its name (route pattern, task name, dotted function name), how long it took,
whether it failed, and the queries, database time and cache calls it made
(read from the ``performance.db`` scope). :data:`recorder` adds it to a
:class:`SpanStats` of the calling thread's own table — a few counters and a
log-scale histogram bucket, no lock — and the flusher thread takes the
finished minutes every few seconds (``profiling.flusher``). Nothing here
touches the database.

:data:`active` maps a thread to the outermost span it is in; the stack
sampler reads it to know whose stacks it is looking at.
"""

from __future__ import annotations

import threading
from math import log
from time import perf_counter, time

from django.core.signals import setting_changed

from performance import conf
from performance.profiling.histogram import BUCKETS, SCALE

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


class _ThreadTable:
    """One thread's spans: the minute it is recording and the finished minutes not yet taken."""

    __slots__ = ("minute", "current", "past", "thread", "dropped")

    def __init__(self, minute: int):
        self.minute = minute
        self.current: dict[tuple[str, str], SpanStats] = {}
        self.past: dict[int, dict[tuple[str, str], SpanStats]] = {}
        self.thread = threading.current_thread()
        self.dropped = 0


class SpanRecorder:
    """The process's span tables, one per thread, so recording a span takes no lock.

    A thread adds to its current minute's table; the first span of a new
    minute moves the finished table aside (under the lock, once a minute).
    ``take()`` collects the finished minutes of every thread — or everything,
    at exit — and merges them by (kind, name, minute). A thread's table
    holds at most PERFORMANCE_SPAN_MAX_KEYS names a minute; spans past that
    are counted as dropped.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.lock = threading.Lock()  # also after a fork, where another thread may have held it
        self.local = threading.local()
        self.tables: list[_ThreadTable] = []
        self.returned: dict[tuple[str, str, int], SpanStats] = {}  # put back after a failed write
        self.dropped = 0
        self.max_keys = conf.DEFAULTS["PERFORMANCE_SPAN_MAX_KEYS"]

    def _table(self) -> _ThreadTable:
        table = self.local.table = _ThreadTable(int(time() // 60))
        with self.lock:
            self.tables.append(table)
        return table

    def _roll(self, table: _ThreadTable, minute: int) -> None:
        with self.lock:
            if table.current:
                table.past[table.minute] = table.current
            table.current = {}
            table.minute = minute

    def record_key(self, key: tuple[str, str], seconds: float, error: bool = False, db_s: float = 0.0,
                   queries: int = 0, cache_calls: int = 0, cache_s: float = 0.0) -> None:
        """Add one span under ``key`` = (kind, name). The hot path: no lock, no allocation but the first."""
        try:
            table = self.local.table
        except AttributeError:
            table = self._table()
        minute = int(time() // 60)
        if minute != table.minute:
            self._roll(table, minute)
        current = table.current
        stats = current.get(key)
        if stats is None:
            if len(current) >= self.max_keys:
                table.dropped += 1
                return
            stats = current[key] = SpanStats()
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
        us = seconds * 1_000_000  # histogram.bucket(), inlined
        index = int(log(us) * SCALE) if us > 1.0 else 0
        if index >= BUCKETS:
            index = BUCKETS - 1
        histogram = stats.histogram
        histogram[index] = histogram.get(index, 0) + 1

    def record(self, kind: str, name: str, seconds: float, error: bool = False, db_s: float = 0.0,
               queries: int = 0, cache_calls: int = 0, cache_s: float = 0.0) -> None:
        self.record_key((kind, name), seconds, error, db_s, queries, cache_calls, cache_s)

    def take(self, everything: bool = True) -> tuple[dict[tuple[str, str, int], SpanStats], int]:
        """Finished minutes of every thread (or ``everything``, the current ones too), merged, and the
        count of dropped spans; both are reset."""
        now = int(time() // 60)
        taken: dict[tuple[str, str, int], SpanStats] = {}
        with self.lock:
            self.max_keys = conf.get("PERFORMANCE_SPAN_MAX_KEYS")
            taken, self.returned = self.returned, {}
            dropped, self.dropped = self.dropped, 0
            for table in self.tables:
                minutes, table.past = table.past, {}
                if table.current and (everything or table.minute < now):  # idle since an older minute
                    minutes[table.minute], table.current = table.current, {}
                dropped, table.dropped = dropped + table.dropped, 0
                for minute, names in minutes.items():
                    for (kind, name), stats in names.items():
                        _merge(taken, (kind, name, minute), stats)
            self.tables = [t for t in self.tables if t.thread.is_alive() or t.current or t.past]
        return taken, dropped

    def put_back(self, table: dict[tuple[str, str, int], SpanStats]) -> None:
        """Merge a table whose write failed back in (it goes out with the next flush)."""
        with self.lock:
            for key, stats in table.items():
                if key in self.returned or len(self.returned) < self.max_keys:
                    _merge(self.returned, key, stats)
                else:
                    self.dropped += stats.count

    def snapshot(self) -> dict[tuple[str, str, int], SpanStats]:
        """Everything recorded and not taken, merged, leaving it in place (for tests and debugging)."""
        seen: dict[tuple[str, str, int], SpanStats] = {}
        with self.lock:
            for key, stats in self.returned.items():
                _merge(seen, key, stats, copy=True)
            for table in self.tables:
                for minute, names in [*table.past.items(), (table.minute, table.current)]:
                    for (kind, name), stats in names.items():
                        _merge(seen, (kind, name, minute), stats, copy=True)
        return seen


def _merge(into: dict, key, stats: SpanStats, copy: bool = False) -> None:
    mine = into.get(key)
    if mine is None and not copy:
        into[key] = stats
        return
    if mine is None:
        mine = into[key] = SpanStats()
    mine.add(stats)


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


class _Switch:
    """PERFORMANCE_PROFILING, read once and again after a settings change (a decorated call reads it)."""

    on: bool | None = None


switch = _Switch()


def enabled() -> bool:
    on = switch.on
    if on is None:
        on = switch.on = bool(conf.get("PERFORMANCE_PROFILING"))
    return on


def _forget(**kwargs) -> None:
    switch.on = None


setting_changed.connect(_forget, dispatch_uid="performance.profiling.switch")
