"""Every method of Django's cache API is handled by the resilient backend, and works while Redis is down."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from performance.caching.backend import API, ResilientRedisCache

from .cache_support import private_cache, private_redis  # noqa: F401 - fixtures


def test_every_public_method_of_djangos_base_cache_has_a_declared_handling():
    public = {name for name in dir(BaseCache) if not name.startswith("_")}
    assert set(API) == public, "Django's cache API changed: declare how each new method is served"
    for name, how in API.items():
        if how == "breaker":  # written out in the backend itself
            assert name in ResilientRedisCache.__dict__, name
        elif how == "composed":  # Django's own, built on the written-out methods, not django-redis's
            assert getattr(ResilientRedisCache, name) is getattr(BaseCache, name), name
        else:
            assert how == "local" and name not in ResilientRedisCache.__dict__, name


ANY = object()  # a call whose answer differs between Redis and the fallback (None, [], a count)
# One call of each public method (async ones through async_to_sync), in an order where each makes sense.
CALLS = [
    ("set", lambda c: c.set("k", "v"), ANY),
    ("get", lambda c: c.get("k"), "v"),
    ("add", lambda c: c.add("n", 1), True),
    ("incr", lambda c: c.incr("n", 2), 3),
    ("decr", lambda c: c.decr("n"), 2),
    ("has_key", lambda c: c.has_key("n"), True),
    ("set_many", lambda c: c.set_many({"a": 1, "b": 2}), ANY),
    ("get_many", lambda c: c.get_many(["a", "b", "missing"]), {"a": 1, "b": 2}),
    ("touch", lambda c: c.touch("a", 30), True),
    ("delete", lambda c: c.delete("a"), True),
    ("delete_many", lambda c: c.delete_many(["b"]), ANY),
    ("get_or_set", lambda c: c.get_or_set("g", lambda: "computed"), "computed"),
    ("incr_version", lambda c: c.incr_version("k"), 2),
    ("decr_version", lambda c: c.decr_version("k", version=2), 1),
    ("make_key", lambda c: c.make_key("x").endswith(":1:x"), True),
    ("make_and_validate_key", lambda c: c.make_and_validate_key("x").endswith(":1:x"), True),
    ("validate_key", lambda c: c.validate_key("x"), ANY),
    ("get_backend_timeout", lambda c: c.get_backend_timeout(None), None),
    ("aset", lambda c: async_to_sync(c.aset)("ak", "av"), ANY),
    ("aget", lambda c: async_to_sync(c.aget)("ak"), "av"),
    ("aadd", lambda c: async_to_sync(c.aadd)("an", 5), True),
    ("aincr", lambda c: async_to_sync(c.aincr)("an"), 6),
    ("adecr", lambda c: async_to_sync(c.adecr)("an"), 5),
    ("ahas_key", lambda c: async_to_sync(c.ahas_key)("an"), True),
    ("aset_many", lambda c: async_to_sync(c.aset_many)({"am": 1}), ANY),
    ("aget_many", lambda c: async_to_sync(c.aget_many)(["am"]), {"am": 1}),
    ("atouch", lambda c: async_to_sync(c.atouch)("am", 30), True),
    ("adelete", lambda c: async_to_sync(c.adelete)("am"), True),
    ("adelete_many", lambda c: async_to_sync(c.adelete_many)(["an"]), ANY),
    ("aget_or_set", lambda c: async_to_sync(c.aget_or_set)("ag", "x"), "x"),
    ("aincr_version", lambda c: async_to_sync(c.aincr_version)("ak"), 2),
    ("adecr_version", lambda c: async_to_sync(c.adecr_version)("ak", version=2), 1),
    ("close", lambda c: c.close(), ANY),
    ("aclose", lambda c: async_to_sync(c.aclose)(), ANY),
    ("clear", lambda c: c.clear(), ANY),
    ("aclear", lambda c: async_to_sync(c.aclear)(), ANY),
]


def test_the_calls_below_cover_the_whole_api():
    assert sorted(name for name, _call, _expected in CALLS) == sorted(API)


@pytest.mark.redis
@pytest.mark.parametrize("redis_up", [True, False], ids=["redis up", "redis down"])
def test_every_public_method_answers_alike_with_redis_up_or_down(private_cache, redis_up):  # noqa: F811
    cache = caches["default"]
    if not redis_up:
        private_cache.kill()
    for name, call, expected in CALLS:
        result = call(cache)
        assert expected is ANY or result == expected, name
    assert cache.health()["degraded"] is not redis_up
    if not redis_up:
        assert cache.health()["fallback_calls"] > 0


@pytest.mark.redis
def test_redis_only_calls_answer_nothing_there_while_redis_is_down(private_cache):  # noqa: F811
    cache = caches["default"]
    cache.set("k", "v", timeout=100)
    assert 0 < cache.ttl("k") <= 100
    private_cache.kill()
    assert (cache.ttl("k"), cache.pttl("k"), cache.expire("k", 5), cache.pexpire("k", 5), cache.persist("k"),
            cache.delete_pattern("k*"), cache.keys("k*")) == (None, None, False, False, False, 0, [])
