"""Redis going away and coming back, on a private redis-server this test owns.

While it is down (killed) or slow (paused: socket timeouts), the cache API
keeps answering from the in-process fallback, logs the outage once, and
returns to Redis by itself; values Redis still holds afterwards are never
stale because of writes made during the outage.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.core.cache import caches

from performance.cache import namespace, stats

from .cache_support import private_cache, private_redis  # noqa: F401 - fixtures

pytestmark = pytest.mark.redis


def _wait_for_redis_again(cache, seconds: float = 5.0) -> None:
    """Call the cache until the breaker has probed Redis and closed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        cache.get("probe")
        if not cache.health()["degraded"]:
            return
        time.sleep(0.05)
    raise AssertionError("the cache did not go back to Redis")


def test_outage_is_served_from_the_fallback_and_logged_once(private_cache, caplog):  # noqa: F811
    cache = caches["default"]
    ns = namespace("scan_results")
    ns.set("before", "in redis")
    private_cache.kill()
    with caplog.at_level(logging.WARNING, logger="performance.cache"):
        for n in range(50):
            ns.set(("during", n), n)
            assert ns.get(("during", n)) == n
        assert ns.get_or_set("computed", lambda: "fresh") == "fresh"
        cache.set("plain", 1)
        assert cache.get("plain") == 1
        ns.invalidate()
    assert cache.health()["degraded"] is True
    unavailable = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(unavailable) == 1
    figures = stats()["namespaces"]["scan_results"]
    assert figures["fallback"] >= 100 and figures["errors"] >= 1
    assert stats()["backend"] == "fallback"


def test_fallback_is_bounded(private_cache):  # noqa: F811
    private_cache.kill()
    ns = namespace("scan_results")
    for n in range(500):  # FALLBACK_MAX_ENTRIES is 100 in these tests
        ns.set(("k", n), n)
    assert ns.get(("k", 499)) == 499
    assert sum(ns.get(("k", n)) is not None for n in range(500)) <= 100


def test_fallback_entries_live_briefly_whatever_the_namespace_ttl(private_cache):  # noqa: F811
    # Other processes cannot see this one's invalidations during the outage,
    # so its fallback keeps values FALLBACK_MAX_TTL (1 s here), not 2 hours.
    private_cache.kill()
    ns = namespace("scan_results")
    ns.set("k", "v")
    caches["default"].set("plain", "v", timeout=None)
    assert ns.get("k") == "v"
    time.sleep(1.3)
    assert ns.get("k") is None
    assert caches["default"].get("plain") is None


def test_recovery_after_restart_serves_nothing_stale(private_cache, caplog):  # noqa: F811
    cache = caches["default"]
    ns = namespace("scan_results")
    ns.set("summary", "old")
    cache.set("plain", "old")
    ns.set("untouched", "old")
    private_cache.kill()  # the append-only file keeps "old" for the restart

    ns.delete("summary")  # a write committed while Redis was away
    cache.set("plain", "new")
    assert ns.get("summary") is None and cache.get("plain") == "new"

    private_cache.start()
    assert private_cache.client().dbsize() > 0  # Redis came back with the old values
    with caplog.at_level(logging.WARNING, logger="performance.cache"):
        _wait_for_redis_again(cache)
    assert "Redis is back" in caplog.text
    assert ns.get("summary") is None  # not "old"
    assert cache.get("plain") is None  # not "old": the write was replayed as a delete
    assert ns.get("untouched") is None  # every namespace version was bumped
    ns.set("summary", "fresh")
    assert ns.get("summary") == "fresh"
    assert private_cache.client().exists(cache.make_key(ns._key("summary"), version=ns.version()))
    assert cache.health()["outages"] == 1


def test_recovery_bumps_namespace_versions_even_if_the_writer_is_gone(private_cache):  # noqa: F811
    cache = caches["default"]
    ns = namespace("scan_results")
    ns.set("summary", "old")
    private_cache.kill()
    ns.delete("summary")
    # The worker that made the write was recycled before Redis came back: its
    # list of keys to replay is gone. The namespace version bump still holds.
    cache._state.written.clear()
    private_cache.start()
    _wait_for_redis_again(cache)
    assert ns.get("summary") is None


def test_slow_redis_trips_the_breaker_and_recovers(private_cache):  # noqa: F811
    cache = caches["default"]
    ns = namespace("dashboard")
    ns.set("k", "old")
    private_cache.pause()  # connections stay open, replies never come: timeouts
    try:
        ns.set("k", "new")
        assert ns.get("k") == "new"
        assert cache.health()["degraded"] is True
    finally:
        private_cache.resume()
    _wait_for_redis_again(cache)
    assert ns.get("k") is None  # Redis still had "old": the version bump hides it
    ns.set("k", "newer")
    assert ns.get("k") == "newer"


def test_stats_counted_during_the_outage_reach_redis_afterwards(private_cache):  # noqa: F811
    ns = namespace("performance")
    private_cache.kill()
    ns.get("a")
    ns.set("a", 1)
    ns.get("a")
    assert stats()["aggregated"] is False
    private_cache.start()
    _wait_for_redis_again(caches["default"])
    figures = stats()
    assert figures["aggregated"] is True
    assert figures["namespaces"]["performance"]["hits"] == 1
    assert figures["namespaces"]["performance"]["misses"] == 1
    assert figures["server"]["used_memory"] > 0
