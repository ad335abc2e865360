"""This process's own figures for its ``ProcessSample``: CPU, memory, the stack sampler, the pool.

Counters that only grow (CPU time, pool checkouts, waits, timeouts) are
turned into the change since the previous sample, so rows add up.
"""

from __future__ import annotations

import time
from typing import Any

import psutil

from performance.db.pool import pool_stats

_POOL_COUNTERS = {"pool_requests": "requests", "pool_queued": "requests_queued",
                  "pool_wait_ms": "requests_wait_ms", "pool_timeouts": "timeouts"}


class ProcessFigures:
    def __init__(self, role: str):
        self.role = role
        self.process = psutil.Process()
        self.last_at = time.monotonic()
        self.last_cpu = self._cpu()
        self.last_sampler_cpu = 0.0
        self.last_pool: dict[str, float] = {}

    def _cpu(self) -> float:
        times = self.process.cpu_times()
        return times.user + times.system

    def collect(self, spans_dropped: int, sampler_cpu_seconds: float,
                alias: str = "default") -> dict[str, Any]:
        now, cpu = time.monotonic(), self._cpu()
        elapsed = max(now - self.last_at, 1e-6)
        figures: dict[str, Any] = {
            "role": self.role,
            "cpu_pct": round(100 * (cpu - self.last_cpu) / elapsed, 2),
            "rss_bytes": self.process.memory_info().rss,
            "sampler_cpu_pct": round(100 * (sampler_cpu_seconds - self.last_sampler_cpu) / elapsed, 3),
            "spans_dropped": spans_dropped,
        }
        self.last_at, self.last_cpu, self.last_sampler_cpu = now, cpu, sampler_cpu_seconds
        figures.update(self._pool(alias))
        return figures

    def _pool(self, alias: str) -> dict[str, Any]:
        stats = pool_stats(alias)
        if not stats.get("enabled"):
            return {}
        figures = {"pool_size": stats["size"], "pool_max": stats["max_size"],
                   "pool_available": stats["available"], "pool_waiting": stats["waiting"]}
        for field, name in _POOL_COUNTERS.items():
            value = stats.get(name, 0) or 0
            figures[field] = max(0, value - self.last_pool.get(field, 0))
            self.last_pool[field] = value
        return figures
