"""Per-request and per-task query accounting, on a context variable.

A *scope* is one request or one Celery task. The execute wrapper
(``instrumentation.QueryObserver``) adds each query's count and time to the
current scope and tells the recorder about the slow ones. When a scope ends,
its figures go into the in-memory :class:`~performance.db.store.Buffer`
(rolled up per source and hour), and any SQL shape it ran more than
PERFORMANCE_N_PLUS_ONE_THRESHOLD times, or at least N_PLUS_ONE_MIN_REPEATS
times for more than N_PLUS_ONE_MIN_TOTAL_MS in all (Sentry's rule), is
flagged as N+1. The buffer is written to the database in batches
(``store.flush``), never a row per query. The span recorder
(``performance.profiling``) reads the same scope: its start, queries,
database time and cache calls.
"""

from __future__ import annotations

import contextvars
import logging
from collections import Counter
from contextlib import contextmanager
from time import perf_counter, time

from django.db import connections, transaction

from performance import conf
from performance.db.fingerprint import fingerprint, fingerprint_hash, mask_example, mask_plan
from performance.db.store import buffer

logger = logging.getLogger(__name__)

NO_SCOPE = "-"
# Sentry's N+1 detector: this many runs of one shape taking this long in all.
N_PLUS_ONE_MIN_REPEATS = 5
N_PLUS_ONE_MIN_TOTAL_MS = 100.0


class Scope:
    """Counters of one request or task.

    ``by_sql`` maps each SQL text it ran to ``[runs, seconds]``; ``span`` is
    the name its span is recorded under (a request's route pattern).
    """

    __slots__ = ("kind", "name", "span", "start", "queries", "seconds", "by_sql", "slow_s", "slow_count",
                 "cache_calls", "cache_s")

    def __init__(self, kind: str, name: str):
        self.kind = kind
        self.name = name
        self.span = name
        self.start = perf_counter()
        self.queries = 0
        self.seconds = 0.0
        self.by_sql: dict[str, list] = {}
        # Read once per scope, not once per query.
        self.slow_s = conf.get("PERFORMANCE_SLOW_QUERY_MS") / 1000
        self.slow_count = 0
        self.cache_calls = 0
        self.cache_s = 0.0


SCOPE: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("performance_db_scope", default=None)
SUSPENDED: contextvars.ContextVar[bool] = contextvars.ContextVar("performance_db_suspended", default=False)
_scope, _suspended = SCOPE, SUSPENDED


def current() -> Scope | None:
    """The scope of the running request or task, if any."""
    return _scope.get()


def begin(kind: str, name: str) -> contextvars.Token:
    """Open a scope; pass the returned token to :func:`end`."""
    return _scope.set(Scope(kind, name))


def count_cache_call(seconds: float) -> None:
    """Add one cache operation to the current scope (called by ``caching.stats.record``)."""
    scope = _scope.get()
    if scope is not None:
        scope.cache_calls += 1
        scope.cache_s += seconds


def rename(name: str) -> None:
    """Name the current scope (the middleware knows the view only after routing)."""
    scope = _scope.get()
    if scope is not None:
        scope.name = name


def end(token: contextvars.Token) -> Scope | None:
    """Close the scope opened with ``token``: roll it up and flag N+1 patterns."""
    scope = _scope.get()
    _scope.reset(token)
    if scope is None or not conf.get("PERFORMANCE_DB_INSTRUMENTATION"):
        return scope
    buffer.add_rollup(scope.name, scope.kind, scope.queries, scope.seconds * 1000)
    threshold = conf.get("PERFORMANCE_N_PLUS_ONE_THRESHOLD")
    # No shape can repeat enough if the scope ran fewer queries.
    if scope.queries > threshold or (
        scope.queries >= N_PLUS_ONE_MIN_REPEATS and scope.seconds * 1000 > N_PLUS_ONE_MIN_TOTAL_MS
    ):
        _flag_repeats(scope, threshold)
    return scope


def _flag_repeats(scope: Scope, threshold: int) -> None:
    shapes: Counter = Counter()
    seconds: Counter = Counter()
    texts: dict[str, str] = {}
    for sql, (count, spent) in scope.by_sql.items():
        shape = fingerprint(sql)
        shapes[shape] += count
        seconds[shape] += spent
        texts.setdefault(shape, sql)
    for shape, count in shapes.items():
        total_ms = seconds[shape] * 1000
        if count > threshold or (count >= N_PLUS_ONE_MIN_REPEATS and total_ms > N_PLUS_ONE_MIN_TOTAL_MS):
            buffer.add_n_plus_one(
                fingerprint_hash(shape), scope.name, shape, mask_example(texts[shape]), count, total_ms
            )
            logger.info("N+1 in %s: %d x %s (%.0f ms)", scope.name, count, shape[:200], total_ms)


@contextmanager
def suspended():
    """Queries run inside are not recorded (the recorder's own writes, EXPLAIN)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def is_suspended() -> bool:
    return _suspended.get()


def record_slow(scope: Scope | None, sql: str, params, many: bool, seconds: float, connection) -> None:
    """Aggregate one slow query under its fingerprint (and EXPLAIN it, if enabled)."""
    if scope is not None:
        scope.slow_count += 1
    source = scope.name if scope is not None else NO_SCOPE
    shape = fingerprint(sql)
    key = fingerprint_hash(shape)
    plan = ""
    if (
        conf.get("PERFORMANCE_EXPLAIN_SLOW_QUERIES")
        and not many
        and not buffer.has_plan(key, source)
        and sql.lstrip()[:6].upper() in {"SELECT", "WITH"}
    ):
        plan = explain(connection, sql, params)
    buffer.add_slow(key, source, shape, mask_example(sql, params), seconds * 1000, plan)
    logger.warning("slow query in %s: %.0f ms %s", source, seconds * 1000, shape[:200])


def explain(connection, sql: str, params) -> str:
    """The plan of ``sql`` (not executed again: plain EXPLAIN), values masked; "" on failure."""
    if connection is None or connection.vendor != "postgresql":
        return ""
    try:
        with suspended(), transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    except Exception as exc:  # noqa: BLE001 - a plan is a bonus; never fail the query for it
        logger.debug("EXPLAIN failed: %s", exc)
        return ""
    return mask_plan(plan)[:20_000]


def maybe_flush(force: bool = False) -> bool:
    """Write the buffer out when its interval has passed (or ``force``); never raises."""
    from performance.db.store import flush

    if not force and not buffer.due(time(), conf.get("PERFORMANCE_DB_FLUSH_INTERVAL")):
        return False
    alias = conf.get("PERFORMANCE_DB_ALIAS")
    connection = connections[alias]
    if connection.in_atomic_block and not force:
        return False  # a broken outer transaction must not take our rows with it
    with suspended():
        return flush(alias)
