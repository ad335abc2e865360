"""Namespaces: a prefix, a TTL from settings and a version counter.

Every entry of a namespace is stored under the namespace's current version
(Django's cache ``version`` argument), so invalidating the whole namespace is
one INCR of its version key: old entries become unreachable and expire on
their own TTL. No KEYS or SCAN ever runs on the request path.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, transaction

from performance import conf
from performance.caching import stats
from performance.caching.backend import UNKNOWN
from performance.caching.keys import CacheKey, encode_key
from performance.caching.outcome import begin, last_outcome

logger = logging.getLogger("performance.cache")

_MISS = object()


class Namespace:
    """A named group of cache entries with one TTL and O(1) invalidation."""

    def __init__(self, name: str):
        if name not in conf.cache_namespaces():
            raise ImproperlyConfigured(
                f"cache namespace {name!r} is not declared in settings.PERFORMANCE_CACHE_NAMESPACES"
            )
        self.name = name

    def __repr__(self) -> str:
        return f"<Namespace {self.name} ttl={self.ttl}>"

    # Settings are read on use, not frozen, so override_settings works.
    @property
    def ttl(self) -> int | None:
        return conf.cache_namespaces()[self.name]

    @property
    def cache(self):
        return caches[conf.get("PERFORMANCE_CACHE_ALIAS")]

    @property
    def version_key(self) -> str:
        return f"nsv:{self.name}"

    def _key(self, key: CacheKey) -> str:
        return f"ns:{self.name}:{encode_key(key)}"

    def version(self) -> int:
        """The namespace's current version, created on first use."""
        cache = self.cache
        current = cache.get(self.version_key)
        if current is None:
            # A start from the clock, not from 1: should Redis evict or lose
            # the counter, old entries (under smaller versions) stay unreachable.
            cache.add(self.version_key, time.time_ns(), timeout=None)
            current = cache.get(self.version_key)
        return int(current) if current is not None else 0

    # --- reads and writes -------------------------------------------------
    def get(self, key: CacheKey, default: Any = None) -> Any:
        """The cached value, or ``default`` on a miss."""
        begin()
        started = time.perf_counter()
        value = self._lookup(key)
        hit = value is not _MISS
        stats.record(self.name, "hit" if hit else "miss", time.perf_counter() - started, last_outcome())
        return value if hit else default

    def _lookup(self, key: CacheKey) -> Any:
        cache = self.cache
        versioned = getattr(cache, "get_versioned", None)
        if versioned is not None:  # Redis: version and value in one round trip
            value = versioned(self.version_key, self._key(key), _MISS)
            if value is not UNKNOWN:
                return value
        return cache.get(self._key(key), _MISS, version=self.version())

    def set(self, key: CacheKey, value: Any, ttl: int | None = None) -> None:
        """Store ``value`` for ``ttl`` seconds (default: the namespace's TTL)."""
        begin()
        started = time.perf_counter()
        self.cache.set(self._key(key), value, timeout=self._timeout(ttl), version=self.version())
        stats.record(self.name, "set", time.perf_counter() - started, last_outcome())

    def delete(self, key: CacheKey) -> None:
        """Remove one entry now."""
        begin()
        started = time.perf_counter()
        self.cache.delete(self._key(key), version=self.version())
        stats.record(self.name, "delete", time.perf_counter() - started, last_outcome())

    def invalidate(self) -> None:
        """Drop every entry of the namespace at once by bumping its version."""
        begin()
        started = time.perf_counter()
        cache = self.cache
        try:
            cache.incr(self.version_key)
        except ValueError:  # no counter yet (or it was evicted): start one
            self.version()
            try:
                cache.incr(self.version_key)
            except ValueError:
                logger.warning("cache namespace %s: could not bump its version", self.name)
        stats.record(self.name, "invalidate", time.perf_counter() - started, last_outcome())

    def get_or_set(self, key: CacheKey, fn: Callable[[], Any], ttl: int | None = None) -> Any:
        """The cached value, or ``fn()`` computed once and stored.

        Stampede protection: on a miss only the reader that takes the lock
        (SET NX with an expiry) calls ``fn``; the others wait for its value.
        If the holder does not deliver within PERFORMANCE_CACHE_LOCK_WAIT
        seconds, the waiter computes the value itself rather than fail.
        """
        value = self.get(key, _MISS)
        if value is not _MISS:
            return value
        cache = self.cache
        version = self.version()
        cache_key = self._key(key)
        lock_key = f"lock:{cache_key}"
        token = uuid.uuid4().hex
        if cache.add(lock_key, token, timeout=conf.get("PERFORMANCE_CACHE_LOCK_TIMEOUT"), version=version):
            try:
                return self._compute_and_store(key, fn, ttl)
            finally:
                # Only the holder's own lock is released; one that expired and
                # was taken by another reader is left alone.
                if cache.get(lock_key, version=version) == token:
                    cache.delete(lock_key, version=version)
        deadline = time.monotonic() + conf.get("PERFORMANCE_CACHE_LOCK_WAIT")
        pause = 0.005
        while time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
            value = cache.get(cache_key, _MISS, version=version)
            if value is not _MISS:
                stats.record(self.name, "wait", 0.0, last_outcome())
                return value
            if cache.get(lock_key, version=version) is None:
                break  # the holder gave up (its fn raised): compute ourselves
        return self._compute_and_store(key, fn, ttl)

    def _compute_and_store(self, key: CacheKey, fn: Callable[[], Any], ttl: int | None) -> Any:
        value = fn()
        self.set(key, value, ttl)
        return value

    # --- after the transaction commits --------------------------------------
    def delete_on_commit(self, key: CacheKey, using: str = DEFAULT_DB_ALIAS) -> None:
        """Delete ``key`` once the current transaction commits; never on rollback.

        Outside a transaction (autocommit) the delete happens at once.
        """
        encode_key(key)  # a bad key fails here, in the caller, not in a callback
        transaction.on_commit(lambda: self.delete(key), using=using, robust=True)

    def invalidate_on_commit(self, using: str = DEFAULT_DB_ALIAS) -> None:
        """Invalidate the namespace once the current transaction commits."""
        transaction.on_commit(self.invalidate, using=using, robust=True)

    def _timeout(self, ttl: int | None) -> int | None:
        return self.ttl if ttl is None else ttl


def bump_versions_after_outage(sender, client, make_key, **kwargs) -> None:
    """``cache_recovered`` receiver: invalidate every namespace in Redis.

    Writes made while Redis was away (in this process or one that has since
    gone) may have replaced values Redis still holds; new versions make all
    of them unreachable. One pipelined round trip, O(1) per namespace.
    """
    start = time.time_ns()
    pipe = client.pipeline(transaction=False)
    for name in conf.cache_namespaces():
        key = make_key(f"nsv:{name}")
        pipe.set(key, start, nx=True)
        pipe.incr(key)
    pipe.execute()
