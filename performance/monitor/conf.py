"""Settings of the system monitor, retention and the bottleneck rules, with their defaults."""

from __future__ import annotations

from typing import Any

from performance.db.conf import reader

DEFAULTS: dict[str, Any] = {
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
    "PERFORMANCE_MONITOR_LOCK_DIR": "",
    # Retention of what is recorded.
    "PERFORMANCE_RETENTION_RAW_HOURS": 24,
    "PERFORMANCE_RETENTION_MINUTE_DAYS": 14,
    "PERFORMANCE_RETENTION_HOUR_DAYS": 400,
    "PERFORMANCE_RETENTION_BATCH": 5000,
    # Bottleneck rules: dotted paths of Rule classes, and threshold overrides
    # per rule name ({"cpu": {"percent": 90}}).
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

get = reader(DEFAULTS)
