"""In-process cost of the execute wrapper per query: the same query with it and without.

Less exposed to machine load than the HTTP comparison: blocks of queries
with and without the observer alternate on one connection, and the medians
of the blocks are compared.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection

from performance.db import recorder
from performance.db.instrumentation import QueryObserver, install, observer_of


def _block(n: int) -> float:
    """Seconds per query over ``n`` runs of SELECT 1 inside a request scope."""
    token = recorder.begin("request", "bench.wrapper_cost")
    with connection.cursor() as cursor:
        start = time.perf_counter()
        for _ in range(n):
            cursor.execute("SELECT 1")
            cursor.fetchone()
        elapsed = time.perf_counter() - start
    recorder.end(token)
    return elapsed / n


def measure(blocks: int = 10, per_block: int = 2000) -> dict:
    connection.ensure_connection()
    install(connection)
    observer = observer_of(connection)
    on, off = [], []
    for i in range(blocks * 2):
        with_wrapper = i % 2 == 0
        if not with_wrapper:
            connection.execute_wrappers.remove(observer)
        try:
            (on if with_wrapper else off).append(_block(per_block))
        finally:
            if not with_wrapper:
                connection.execute_wrappers.insert(0, observer)
    assert isinstance(observer, QueryObserver)
    on_us, off_us = statistics.median(on) * 1e6, statistics.median(off) * 1e6
    return {"on_us": on_us, "off_us": off_us, "wrapper_us": on_us - off_us,
            "pct": (on_us - off_us) / off_us * 100 if off_us else 0.0}


def request_cost(path: str = "/healthz", blocks: int = 8, per_block: int = 500) -> dict:
    """Microseconds per request through Django's handler (test client), middleware and wrapper on/off."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    with_mw = list(settings.MIDDLEWARE)
    without_mw = [m for m in with_mw if not m.endswith("QueryCountMiddleware")]
    Client().get(path)
    observer = observer_of(connection)
    times: dict[str, list[float]] = {"on": [], "off": []}
    for i in range(blocks * 2):
        side = "on" if i % 2 == 0 else "off"
        with override_settings(MIDDLEWARE=with_mw if side == "on" else without_mw):
            client = Client()
            client.get(path)  # connect (and install) before timing
            if side == "off":
                connection.execute_wrappers.remove(observer)
            try:
                start = time.perf_counter()
                for _ in range(per_block):
                    client.get(path)
                times[side].append((time.perf_counter() - start) / per_block * 1e6)
            finally:
                if side == "off":
                    connection.execute_wrappers.insert(0, observer)
    on_us, off_us = statistics.median(times["on"]), statistics.median(times["off"])
    return {"on_us": on_us, "off_us": off_us, "pct": (on_us - off_us) / off_us * 100 if off_us else 0.0}
