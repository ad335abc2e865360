"""Run one load against gunicorn with given settings; shared by the database benches."""

from __future__ import annotations

import os

from bench.lib.loadgen import LoadResult, run_load
from bench.lib.server import GunicornServer, production_env

CORES = os.cpu_count() or 1
# The production worker settings (README "Production"): gthread, 2 x cores, 4 threads.
PRODUCTION_WORKERS = {"workers": 2 * CORES, "worker_class": "gthread", "threads": 4}


def measure(env: dict[str, str], path: str, concurrency: int, duration: float, warmup: float,
            server_args: dict | None = None) -> LoadResult:
    """Start gunicorn with ``env``, drive ``path``, stop it; return the load result."""
    args = dict(PRODUCTION_WORKERS, **(server_args or {}))
    with GunicornServer(env=production_env(**env), **args) as server:
        return run_load(server.url + path, concurrency=concurrency, duration=duration, warmup=warmup)


def line(label: str, result: LoadResult) -> str:
    return f"{label:<12} {result.summary()}"
