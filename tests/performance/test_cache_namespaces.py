"""The namespace API on whichever cache is configured (Redis with REDIS_URL,
LocMemCache without), plus Redis-only checks of TTLs and O(1) invalidation."""

from __future__ import annotations

import datetime
import decimal
import threading
import time
import uuid

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from performance.cache import namespace
from performance.caching.keys import encode_key

from .cache_support import clean_cache  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("clean_cache")


def test_unknown_namespace_is_refused():
    with pytest.raises(ImproperlyConfigured, match="nope"):
        namespace("nope")


def test_keys_are_unambiguous_and_simple():
    assert encode_key(("a:b",)) != encode_key(("a", "b"))
    assert encode_key("scan") == encode_key(("scan",))
    assert len(encode_key(("x" * 500,))) < 100
    with pytest.raises(TypeError):
        encode_key(("scan", object()))
    with pytest.raises(TypeError):
        encode_key(())


def test_set_get_delete_round_trip_keeps_types():
    ns = namespace("scan_results")
    value = {
        "when": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        "day": datetime.date(2026, 1, 2),
        "amount": decimal.Decimal("12.50"),
        "id": uuid.UUID(int=7),
        "pair": (1, "a"),
        "counts": {1: 2, "x": [None, True, 1.5]},
    }
    assert ns.get(("scan", 1)) is None
    ns.set(("scan", 1), value)
    assert ns.get(("scan", 1)) == value
    ns.delete(("scan", 1))
    assert ns.get(("scan", 1), "gone") == "gone"


def test_none_is_a_value_not_a_miss():
    ns = namespace("scan_results")
    ns.set("nothing", None)
    assert ns.get("nothing", "miss") is None
    assert ns.get_or_set("nothing", lambda: pytest.fail("must not recompute")) is None


def test_invalidate_drops_the_namespace_only():
    results, dashboard = namespace("scan_results"), namespace("dashboard")
    results.set("a", 1)
    results.set(("b", 2), 2)
    dashboard.set("a", 3)
    results.invalidate()
    assert results.get("a") is None
    assert results.get(("b", 2)) is None
    assert dashboard.get("a") == 3
    results.set("a", 4)  # the namespace keeps working under its new version
    assert results.get("a") == 4


def test_a_lost_version_counter_never_resurrects_old_entries():
    ns = namespace("scan_results")
    ns.set("a", "old")
    caches["default"].delete(ns.version_key)  # as if Redis had evicted it
    assert ns.get("a") is None


def test_get_or_set_runs_the_function_once_under_concurrent_readers():
    ns = namespace("dashboard")
    calls = []
    readers = 8
    barrier = threading.Barrier(readers)
    results = []

    def expensive():
        calls.append(1)
        time.sleep(0.3)  # long enough for every reader to miss and wait
        return {"total": 42}

    def reader():
        barrier.wait()
        results.append(ns.get_or_set(("org", 1), expensive))

    threads = [threading.Thread(target=reader) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert results == [{"total": 42}] * readers


def test_get_or_set_releases_the_lock_when_the_function_fails():
    ns = namespace("dashboard")

    def broken():
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        ns.get_or_set("k", broken)
    assert ns.get_or_set("k", lambda: "computed") == "computed"


@pytest.mark.redis
def test_invalidate_leaves_old_entries_to_expire_instead_of_scanning():
    ns = namespace("scan_results")
    ns.set("a", 1)
    client = caches["default"].client.get_client()
    before = client.dbsize()
    ns.invalidate()
    assert client.dbsize() == before  # nothing deleted, nothing scanned: one INCR
    assert ns.get("a") is None


@pytest.mark.redis
def test_each_namespace_stores_with_its_own_ttl():
    cache = caches["default"]
    client = cache.client.get_client()
    for name, ttl in (("scan_results", 7200), ("dashboard", 600), ("performance", 300)):
        ns = namespace(name)
        ns.set("k", 1)
        remaining = client.pttl(cache.make_key(ns._key("k"), version=ns.version()))
        assert ttl * 1000 - 5000 < remaining <= ttl * 1000
    ns = namespace("dashboard")
    ns.set("short", 1, ttl=30)
    assert client.pttl(cache.make_key(ns._key("short"), version=ns.version())) <= 30_000


@override_settings(PERFORMANCE_CACHE_NAMESPACES={"scan_results": {"ttl": 1}})
def test_entries_really_expire_after_the_namespace_ttl():
    ns = namespace("scan_results")
    assert ns.ttl == 1
    ns.set("k", "v")
    assert ns.get("k") == "v"
    time.sleep(1.3)
    assert ns.get("k") is None
