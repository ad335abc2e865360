"""Prometheus metrics (prometheus_client), correct under several worker processes.

With PERFORMANCE_METRICS_DIR set, every process writes its counters to
files there (prometheus_client's multiprocess mode, which reads the
directory from PROMETHEUS_MULTIPROC_DIR; it is set from the setting before
prometheus_client is first imported), and ``/metrics`` adds them up over
all processes. The directory must be emptied when the server starts
(``performance.gunicorn.on_starting``; ``runall`` does it in development)
and a dead worker's gauges dropped (``child_exit``).

Labels are bounded: the route pattern (never the path), the method folded to
a known set, the status class, the task name and its final state.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from functools import lru_cache

from performance import conf

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
_lock = threading.Lock()
_metrics: dict | None = None
_children: dict[tuple, tuple] = {}


def multiprocess_dir() -> str:
    return conf.get("PERFORMANCE_METRICS_DIR") or os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def _define() -> dict:
    """Create the metrics once per process (after pointing prometheus_client at the directory)."""
    global _metrics
    with _lock:
        if _metrics is not None:
            return _metrics
        directory = multiprocess_dir()
        if directory:
            os.makedirs(directory, exist_ok=True)
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        from prometheus_client import Counter, Gauge, Histogram, values

        if directory and values.ValueClass.__name__ != "MmapedValue":
            values.ValueClass = values.get_value_class()  # imported before the directory was known
        _metrics = {
            "requests": Counter("http_requests_total",
                                "HTTP requests by route pattern, method and status class.",
                                ["route", "method", "status"]),
            "latency": Histogram("http_request_duration_seconds", "Time to build the response, by route.",
                                 ["route"]),
            "tasks": Counter("celery_tasks_total", "Celery tasks run, by task name and final state.",
                             ["task", "state"]),
            "task_latency": Histogram("celery_task_duration_seconds", "Celery task run time, by task name.",
                                      ["task"], buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600)),
            "pool": Gauge("db_pool_connections", "Database pool connections of live processes, by state.",
                          ["state"], multiprocess_mode="livesum"),
        }
        return _metrics


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    key = (route, method, status // 100)
    children = _children.get(key)
    if children is None:
        metrics = _metrics or _define()
        method_label = method if method in METHODS else "other"
        children = _children[key] = (
            metrics["requests"].labels(route, method_label, f"{status // 100}xx"),
            metrics["latency"].labels(route),
        )
    children[0].inc()
    children[1].observe(seconds)


def observe_task(task: str, state: str, seconds: float) -> None:
    metrics = _metrics or _define()
    metrics["tasks"].labels(task, state).inc()
    metrics["task_latency"].labels(task).observe(seconds)


def set_pool(size: int, available: int, waiting: int) -> None:
    pool = (_metrics or _define())["pool"]
    pool.labels("open").set(size)
    pool.labels("idle").set(available)
    pool.labels("waiting").set(waiting)


def render() -> tuple[bytes, str]:
    """The exposition text of every process (multiprocess) or of this one, and its content type."""
    _define()
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    if multiprocess_dir():
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    """Drop a dead process's live gauges (gunicorn ``child_exit``, Celery process shutdown)."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, multiprocess_dir())


@lru_cache(maxsize=1)
def _networks(addresses: tuple[str, ...]):
    return tuple(ipaddress.ip_network(a, strict=False) for a in addresses)


def client_allowed(remote_addr: str, authorization: str) -> bool:
    """PERFORMANCE_METRICS_TOKEN as a bearer token, or REMOTE_ADDR in PERFORMANCE_METRICS_ALLOWED_IPS."""
    import hmac

    token = conf.get("PERFORMANCE_METRICS_TOKEN")
    if token and authorization.startswith("Bearer "):
        if hmac.compare_digest(authorization[7:].strip().encode(), token.encode()):
            return True
    addresses = tuple(conf.get("PERFORMANCE_METRICS_ALLOWED_IPS") or ())
    if not addresses or not remote_addr:
        return False
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(address in network for network in _networks(addresses))
