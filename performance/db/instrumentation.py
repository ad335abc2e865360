"""The execute wrapper that counts every query, installed once per connection.

Django runs ``connection_created`` on every ``connect()``. With the psycopg
pool that is every checkout (each request takes a connection from the pool
and gives it back at the end), so a handler that simply appended a wrapper
would stack a new one per request. ``install()`` therefore checks the
``DatabaseWrapper``'s ``execute_wrappers`` first: the wrapper list belongs
to the per-thread ``DatabaseWrapper``, which outlives the pooled psycopg
connections it checks out, so one observer, installed at the first
connection, sees every query on every pooled connection that thread uses.

PERFORMANCE_DB_INSTRUMENTATION=False leaves the signal unconnected: no
wrapper at all, which is what ``bench/db_overhead.py`` compares against.
"""

from __future__ import annotations

from time import perf_counter

from django.db.backends.signals import connection_created

from performance import conf
from performance.db import recorder

_scope, _suspended = recorder.SCOPE, recorder.SUSPENDED
installs = 0  # how many observers were ever installed in this process (tests read it)


class QueryObserver:
    """An execute wrapper: times the query, adds it to the current scope."""

    __slots__ = ("alias",)

    def __init__(self, alias: str):
        self.alias = alias

    def __call__(self, execute, sql, params, many, context):
        # The context variables are read directly: this runs for every query.
        if _suspended.get():
            return execute(sql, params, many, context)
        start = perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = perf_counter() - start
            scope = _scope.get()
            if scope is not None:
                scope.queries += 1
                scope.seconds += elapsed
                runs = scope.by_sql.get(sql)
                if runs is None:
                    scope.by_sql[sql] = [1, elapsed]
                else:
                    runs[0] += 1
                    runs[1] += elapsed
                if elapsed >= scope.slow_s:
                    recorder.record_slow(scope, sql, params, many, elapsed, context.get("connection"))
            elif elapsed * 1000 >= conf.get("PERFORMANCE_SLOW_QUERY_MS"):
                recorder.record_slow(None, sql, params, many, elapsed, context.get("connection"))


def observer_of(connection) -> QueryObserver | None:
    """The observer installed on ``connection`` (a DatabaseWrapper), if any."""
    for wrapper in connection.execute_wrappers:
        if isinstance(wrapper, QueryObserver):
            return wrapper
    return None


def install(connection) -> bool:
    """Install the observer on ``connection`` unless it has one; True if installed now."""
    global installs
    if observer_of(connection) is not None:
        return False
    # First in the list = outermost: it times whatever other wrappers add too.
    connection.execute_wrappers.insert(0, QueryObserver(connection.alias))
    installs += 1
    return True


def _on_connection_created(sender, connection, **kwargs) -> None:
    install(connection)


def setup() -> bool:
    """Connect the signal (idempotent). Called from the app's ready()."""
    if not conf.get("PERFORMANCE_DB_INSTRUMENTATION"):
        return False
    connection_created.connect(_on_connection_created, dispatch_uid="performance.db.instrumentation")
    return True
