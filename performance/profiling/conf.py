"""Settings of spans, the sampling profiler, the flusher and /metrics, with their defaults.

Read when used through :func:`get` (memoised, emptied on ``setting_changed``),
like ``performance.db.conf``.
"""

from __future__ import annotations

import socket
from typing import Any

from performance.db.conf import reader

DEFAULTS: dict[str, Any] = {
    # Spans from requests, tasks and @profiled functions, and the stack sampler.
    "PERFORMANCE_PROFILING": True,
    # Start the flusher and sampler threads in web and worker processes
    # (``performance.profiling.start``); tests start them by hand.
    "PERFORMANCE_BACKGROUND_THREADS": True,
    "PERFORMANCE_FLUSH_INTERVAL": 10,
    "PERFORMANCE_SPAN_MAX_KEYS": 5000,
    "PERFORMANCE_PROFILER_HZ": 97,
    "PERFORMANCE_PROFILER_TOP_STACKS": 20,
    "PERFORMANCE_PROFILER_MAX_DEPTH": 48,
    "PERFORMANCE_DEEP_PROFILE": True,
    "PERFORMANCE_HOST_NAME": "",
    # /metrics: prometheus_client; who may read it.
    "PERFORMANCE_METRICS": True,
    "PERFORMANCE_METRICS_DIR": "",
    "PERFORMANCE_METRICS_TOKEN": "",
    "PERFORMANCE_METRICS_ALLOWED_IPS": [],
    # /readyz: how long the broker check may take.
    "PERFORMANCE_READYZ_TIMEOUT": 2.0,
}

get = reader(DEFAULTS)


def host_name() -> str:
    """PERFORMANCE_HOST_NAME, else this machine's name (at most 100 characters)."""
    return (get("PERFORMANCE_HOST_NAME") or socket.gethostname())[:100]
