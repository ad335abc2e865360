"""Every setting of the ``performance`` app, its default, read through ``get(name)``.

Read when used, never frozen at import: values are memoised because the
request path reads several per request, and the memo is emptied on
``setting_changed`` (``override_settings``, the pytest ``settings``
fixture), so tests see their overrides at once. A name not listed here is
a ``KeyError``: every setting has its default in this one place.
"""

from __future__ import annotations

import socket
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

DEFAULTS: dict[str, Any] = {
    # --- database layer (performance.db) ---
    # Count queries and DB time per request and task; False installs no execute wrapper.
    "PERFORMANCE_DB_INSTRUMENTATION": True,
    # A query at least this slow (ms) is recorded by fingerprint.
    "PERFORMANCE_SLOW_QUERY_MS": 500,
    # A query shape run more often than this in one request or task is an N+1.
    "PERFORMANCE_N_PLUS_ONE_THRESHOLD": 10,
    # Also store the (masked) EXPLAIN plan of each slow SELECT.
    "PERFORMANCE_EXPLAIN_SLOW_QUERIES": False,
    # Seconds between two batched writes of a process's query statistics.
    "PERFORMANCE_DB_FLUSH_INTERVAL": 30,
    # Distinct entries the per-process statistics buffer holds before it flushes early.
    "PERFORMANCE_DB_BUFFER_MAX_KEYS": 2000,
    # The database the statistics are written to and pg_stat_statements is read from.
    "PERFORMANCE_DB_ALIAS": "default",
    # Statements kept per pg_stat_statements snapshot, and days of snapshots kept.
    "PERFORMANCE_PGSS_TOP": 50,
    "PERFORMANCE_PGSS_RETENTION_DAYS": 14,
    # Tables smaller than this are left out of the index audit's sequential-scan report.
    "PERFORMANCE_INDEX_AUDIT_MIN_ROWS": 1000,
    # --- caching layer (performance.cache, performance.caching) ---
    # The Django cache the namespaces, statistics and raw Redis calls use.
    "PERFORMANCE_CACHE_ALIAS": "default",
    # Namespace name -> {"ttl": seconds or None} (or the TTL alone).
    "PERFORMANCE_CACHE_NAMESPACES": {},
    # Seconds a get_or_set lock may be held, and a reader waits for its holder.
    "PERFORMANCE_CACHE_LOCK_TIMEOUT": 30,
    "PERFORMANCE_CACHE_LOCK_WAIT": 10.0,
    # Seconds between two flushes of a process's cache statistics to Redis.
    "PERFORMANCE_CACHE_STATS_FLUSH_INTERVAL": 5.0,
    # performance.querycache: "auto" (only on a cache shared by all processes), True or False.
    "PERFORMANCE_QUERY_CACHE": "auto",
    # --- spans and the sampling profiler (performance.profiling) ---
    # Spans from requests, tasks and @profiled functions, and the stack sampler.
    "PERFORMANCE_PROFILING": True,
    # Start the flusher and sampler threads in web and worker processes
    # (``performance.profiling.runtime``); tests start them by hand.
    "PERFORMANCE_BACKGROUND_THREADS": True,
    # Seconds between two writes of a process's spans and sampled stacks.
    "PERFORMANCE_FLUSH_INTERVAL": 10,
    # Span names a process keeps per minute; past that, spans are counted as dropped.
    "PERFORMANCE_SPAN_MAX_KEYS": 5000,
    # Stack samples per second, stacks kept per span and minute, frames kept per stack.
    "PERFORMANCE_PROFILER_HZ": 97,
    "PERFORMANCE_PROFILER_TOP_STACKS": 20,
    "PERFORMANCE_PROFILER_MAX_DEPTH": 48,
    # A staff user may download a pyinstrument profile of one GET (?_profile=html or speedscope).
    "PERFORMANCE_DEEP_PROFILE": True,
    # The host name spans and samples are stored under ("": this machine's name).
    "PERFORMANCE_HOST_NAME": "",
    # --- /metrics and /readyz (performance.metrics, performance.health) ---
    "PERFORMANCE_METRICS": True,
    # prometheus_client's multiprocess folder ("": PROMETHEUS_MULTIPROC_DIR, else one process).
    "PERFORMANCE_METRICS_DIR": "",
    # Who may read /metrics: a bearer token, or a client address in these networks.
    "PERFORMANCE_METRICS_TOKEN": "",
    "PERFORMANCE_METRICS_ALLOWED_IPS": [],
    # Seconds the broker check of /readyz may take.
    "PERFORMANCE_READYZ_TIMEOUT": 2.0,
    # --- system monitor (performance.monitor) ---
    # Seconds between two readings, and between two writes of the samples.
    "PERFORMANCE_MONITOR_INTERVAL": 5,
    "PERFORMANCE_MONITOR_WRITE_INTERVAL": 30,
    "PERFORMANCE_MONITOR_DISKS": ["/"],
    # (role, words that must all appear in the command line), first match wins.
    "PERFORMANCE_MONITOR_PROCESS_ROLES": [
        ("web", ["gunicorn"]),
        ("web", ["runserver"]),
        ("worker", ["celery", "worker"]),
        ("beat", ["celery", "beat"]),
        ("monitor", ["manage.py", "monitor"]),
    ],
    # Folder of the one-monitor-per-host lock ("": the temporary folder).
    "PERFORMANCE_MONITOR_LOCK_DIR": "",
    # --- retention of what is recorded (performance.retention) ---
    "PERFORMANCE_RETENTION_RAW_HOURS": 24,
    "PERFORMANCE_RETENTION_MINUTE_DAYS": 14,
    "PERFORMANCE_RETENTION_HOUR_DAYS": 400,
    "PERFORMANCE_RETENTION_BATCH": 5000,
    # --- bottleneck rules (performance.bottlenecks) ---
    # Dotted paths of Rule classes, and threshold overrides per rule name ({"cpu": {"percent": 90}}).
    "PERFORMANCE_BOTTLENECK_RULES": [
        "performance.bottlenecks.n_plus_one.NPlusOneRule",
        "performance.bottlenecks.slow_query.SlowQueryRule",
        "performance.bottlenecks.seq_scan.SeqScanRule",
        "performance.bottlenecks.template_rendering.TemplateRenderingRule",
        "performance.bottlenecks.p95_regression.P95RegressionRule",
        "performance.bottlenecks.cache_hit_rate.CacheHitRateRule",
        "performance.bottlenecks.pool.PoolRule",
        "performance.bottlenecks.cpu.CpuRule",
        "performance.bottlenecks.memory.MemoryRule",
        "performance.bottlenecks.celery_wait.CeleryWaitRule",
    ],
    "PERFORMANCE_BOTTLENECK_THRESHOLDS": {},
    # Hit rate each cache namespace should reach; "*" for the others.
    "PERFORMANCE_CACHE_HIT_RATE_TARGETS": {"*": 0.8},
}

_memo: dict[str, Any] = {}


def get(name: str) -> Any:
    """``settings.<name>``, or its default from :data:`DEFAULTS`."""
    try:
        return _memo[name]
    except KeyError:
        value = _memo[name] = getattr(settings, name, DEFAULTS[name])
        return value


def cache_namespaces() -> dict[str, int | None]:
    """PERFORMANCE_CACHE_NAMESPACES as name -> TTL in seconds (None: no expiry)."""
    return {name: spec.get("ttl") if isinstance(spec, dict) else spec
            for name, spec in get("PERFORMANCE_CACHE_NAMESPACES").items()}


def host_name() -> str:
    """PERFORMANCE_HOST_NAME, else this machine's name (at most 100 characters)."""
    return (get("PERFORMANCE_HOST_NAME") or socket.gethostname())[:100]


def _forget(**kwargs: Any) -> None:
    _memo.clear()


setting_changed.connect(_forget, dispatch_uid="performance.conf")
