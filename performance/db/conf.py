"""The database layer's settings and their defaults, read when needed (never frozen).

Values are memoised because the request path reads several per request;
the memo is emptied on ``setting_changed`` (override_settings, the pytest
``settings`` fixture), so tests see their overrides at once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

DEFAULTS: dict[str, Any] = {
    "PERFORMANCE_DB_INSTRUMENTATION": True,
    "PERFORMANCE_SLOW_QUERY_MS": 500,
    "PERFORMANCE_N_PLUS_ONE_THRESHOLD": 10,
    "PERFORMANCE_EXPLAIN_SLOW_QUERIES": False,
    "PERFORMANCE_DB_FLUSH_INTERVAL": 30,
    "PERFORMANCE_DB_BUFFER_MAX_KEYS": 2000,
    "PERFORMANCE_DB_ALIAS": "default",
    "PERFORMANCE_PGSS_TOP": 50,
    "PERFORMANCE_PGSS_RETENTION_DAYS": 14,
    "PERFORMANCE_INDEX_AUDIT_MIN_ROWS": 1000,
}

_memos: list[dict[str, Any]] = []


def reader(defaults: dict[str, Any]):
    """A memoised ``get(name)`` for one module's settings: ``settings.<name>``, else ``defaults[name]``.

    Other parts of ``performance`` (profiling, monitor) declare their defaults
    in their own ``conf`` module and read them through a reader of their own.
    """
    memo: dict[str, Any] = {}
    _memos.append(memo)

    def get(name: str) -> Any:
        try:
            return memo[name]
        except KeyError:
            value = memo[name] = getattr(settings, name, defaults[name])
            return value

    return get


get = reader(DEFAULTS)
get.__doc__ = """``settings.<name>``, or its default from :data:`DEFAULTS`."""


def _forget(**kwargs) -> None:
    for memo in _memos:
        memo.clear()


setting_changed.connect(_forget, dispatch_uid="performance.db.conf")
