"""Statistics per namespace: they count what happened, in batches, across processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from performance.cache import namespace, stats
from performance.caching import stats as stats_module

from .cache_support import clean_cache  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("clean_cache")
ROOT = Path(__file__).resolve().parents[2]


def test_stats_count_what_happened():
    ns = namespace("scan_results")
    ns.get("a")  # miss
    ns.set("a", 1)
    ns.get("a")  # hit
    ns.get("a")  # hit
    ns.delete("a")
    ns.invalidate()
    ns.get_or_set("b", lambda: 2)  # miss + set
    namespace("dashboard").get("x")  # another namespace: counted there
    figures = stats()
    results = figures["namespaces"]["scan_results"]
    assert {k: results[k] for k in ("hits", "misses", "sets", "deletes", "invalidations", "errors")} == {
        "hits": 2, "misses": 2, "sets": 2, "deletes": 1, "invalidations": 1, "errors": 0,
    }
    assert results["hit_rate"] == 0.5
    assert results["avg_latency_ms"] is not None
    assert figures["namespaces"]["dashboard"]["misses"] == 1
    assert figures["namespaces"]["sessions"]["hit_rate"] is None
    assert figures["backend"] in {"redis", "local"}


@pytest.mark.redis
def test_counts_are_flushed_to_redis_in_batches():
    client = caches["default"].client.get_client()
    key = caches["default"].make_key("perfstats:performance")
    with override_settings(PERFORMANCE_CACHE_STATS_FLUSH_INTERVAL=3600):
        stats_module.flush()  # starts a fresh interval
        ns = namespace("performance")
        for _ in range(5):
            ns.get("nothing")
        assert client.hget(key, "misses") is None  # nothing sent per call
        assert stats_module.flush() is True
    assert int(client.hget(key, "misses")) == 5


@pytest.mark.redis
def test_figures_are_aggregated_across_processes():
    namespace("performance").set("shared", 1)
    script = (
        "import django; django.setup()\n"
        "from performance.cache import namespace\n"
        "ns = namespace('performance')\n"
        "for _ in range(3): ns.get('shared')\n"
    )  # the counts leave that process with its exit-time flush
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dataguardian.settings", "PYTHONPATH": str(ROOT),
           "REDIS_URL": settings.REDIS_URL}
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, timeout=60)
    namespace("performance").get("shared")
    figures = stats()
    assert figures["aggregated"] is True
    assert figures["namespaces"]["performance"]["hits"] == 4
    assert figures["namespaces"]["performance"]["sets"] == 1
    server = figures["server"]
    assert server["keys"] >= 1 and server["used_memory"] > 0
    assert 0 <= server["keyspace_hit_ratio"] <= 1
    assert "evicted_keys" in server
