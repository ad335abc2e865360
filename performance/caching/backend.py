"""``ResilientRedisCache``: django-redis that keeps working while Redis is down.

A subclass of ``django_redis.cache.RedisCache`` whose Django cache API is
written out method by method: each call goes to Redis through a circuit
breaker (``breaker.py``); when Redis fails or is slow (socket timeouts) the
same call is served by a bounded in-process LRU with TTLs (Django's
LocMemCache with MAX_ENTRIES), and the circuit opens. ``API`` says how each
public method of Django's ``BaseCache`` is handled, and a test holds it to
Django's list, so a change in Django's cache API cannot bypass the fallback
unnoticed. django-redis's own extras (locks, sets, hashes, sorted sets) go
straight to Redis and raise while it is down, except the few written out
below. Once per retry interval one call probes Redis; recovery, and why
this is chosen over DJANGO_REDIS_IGNORE_EXCEPTIONS: docs/ARCHITECTURE.md.

OPTIONS (besides django-redis's): RETRY_INTERVAL (seconds between probes,
default 2), FALLBACK_MAX_ENTRIES (default 5000), FALLBACK_MAX_TTL (seconds,
default 60: the fallback of one process cannot see another's invalidations,
so what it holds during an outage is kept briefly).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, default_key_func
from django.core.cache.backends.locmem import LocMemCache
from django.dispatch import Signal
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from performance.caching.breaker import CircuitBreaker
from performance.caching.outcome import ERROR, FALLBACK, REDIS, report
from performance.caching.serializers import RefusedPayload

logger = logging.getLogger("performance.cache")

REDIS_ERRORS = (RedisError, ConnectionInterrupted, socket.timeout, OSError)

# Sent after an outage, before Redis serves anything: receivers get the raw
# ``client`` and the backend's ``make_key`` (redis-py calls, not the cache API).
cache_recovered = Signal()

# How each public method of Django's BaseCache is served (tests/performance/test_cache_backend.py):
#   "breaker"  written out below: Redis through the breaker, else the fallback;
#   "composed" Django's own implementation, made only of "breaker" methods (async ones run them
#              in a thread);
#   "local"    no Redis call: key building and validation, closing the connection.
API: dict[str, str] = {
    **dict.fromkeys(("get", "get_many", "has_key", "set", "add", "touch", "delete", "delete_many",
                     "set_many", "incr", "decr", "incr_version", "clear"), "breaker"),
    **dict.fromkeys(("get_or_set", "decr_version", "aget", "aget_many", "ahas_key", "aset", "aadd",
                     "atouch", "adelete", "adelete_many", "aset_many", "aincr", "adecr",
                     "aincr_version", "adecr_version", "aclear", "aget_or_set"), "composed"),
    **dict.fromkeys(("make_key", "make_and_validate_key", "validate_key", "get_backend_timeout",
                     "close", "aclose"), "local"),
}

# Django makes one backend instance per thread; breaker, fallback store and
# outage bookkeeping are per process, shared by all of them.
_shared: dict[str, _ProcessState] = {}
_shared_lock = threading.Lock()


class _ProcessState:
    def __init__(self, name: str, retry_interval: float, max_entries: int, max_ttl: float):
        self.breaker = CircuitBreaker(name, retry_interval)
        self.fallback_name = f"performance-fallback:{name}"
        self.max_entries = max_entries
        self.max_ttl = max_ttl
        self.lock = threading.Lock()
        self.written: set[tuple[str, int | None]] = set()
        self.overflowed = False
        self.fallback_calls = 0

    def note_writes(self, keys: Iterable[str], version: int | None) -> None:
        with self.lock:
            for key in keys:
                if len(self.written) >= self.max_entries:
                    self.overflowed = True
                    return
                self.written.add((key, version))


class ResilientRedisCache(RedisCache):
    """The ``BACKEND`` for Redis: django-redis with a fallback and a breaker."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        options = params.get("OPTIONS", {})
        name = f"{server}|{self.key_prefix}"
        with _shared_lock:
            if name not in _shared:
                _shared[name] = _ProcessState(
                    name.split("|")[0].rsplit("@", 1)[-1],  # never log a password
                    float(options.get("RETRY_INTERVAL", 2.0)),
                    int(options.get("FALLBACK_MAX_ENTRIES", 5000)),
                    float(options.get("FALLBACK_MAX_TTL", 60)),
                )
            self._state = _shared[name]
        self._versioned_get = None
        self.fallback = LocMemCache(self._state.fallback_name, {
            "TIMEOUT": params.get("TIMEOUT", 300),
            "KEY_PREFIX": self.key_prefix,
            "VERSION": self.version,
            "OPTIONS": {"MAX_ENTRIES": self._state.max_entries, "CULL_FREQUENCY": 10},
        })

    # --- Django's cache API --------------------------------------------------
    def get(self, key: Any, default: Any = None, version: int | None = None, **redis_options: Any) -> Any:
        redis = super().get
        try:
            return self._serve(lambda: redis(key, default, version, **redis_options),
                               lambda: self.fallback.get(key, default, version))
        except RefusedPayload as exc:
            return self._refused(key, default, version, exc)

    def get_many(self, keys: Iterable[Any], version: int | None = None, **redis_options: Any) -> dict:
        keys, redis = list(keys), super().get_many
        try:
            return self._serve(lambda: redis(keys, version, **redis_options),
                               lambda: self.fallback.get_many(keys, version))
        except RefusedPayload:  # one by one: each refused value is a miss, the rest are served
            return {key: value for key in keys
                    if (value := self.get(key, _REFUSED, version)) is not _REFUSED}

    def has_key(self, key: Any, version: int | None = None, **redis_options: Any) -> bool:
        redis = super().has_key
        return self._serve(lambda: redis(key, version, **redis_options),
                           lambda: self.fallback.has_key(key, version))

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None,
            **redis_options: Any) -> Any:
        redis = super().set
        return self._serve(lambda: redis(key, value, timeout, version, **redis_options),
                           lambda: self._fallback_for([key], version).set(
                               key, value, self._short(timeout), version))

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None,
            **redis_options: Any) -> bool:
        redis = super().add
        return self._serve(lambda: redis(key, value, timeout, version, **redis_options),
                           lambda: self._fallback_for([key], version).add(
                               key, value, self._short(timeout), version))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None,
              **redis_options: Any) -> bool:
        redis = super().touch
        return self._serve(lambda: redis(key, timeout, version, **redis_options),
                           lambda: self._fallback_for([key], version).touch(
                               key, self._short(timeout), version))

    def delete(self, key: Any, version: int | None = None, **redis_options: Any) -> bool:
        redis = super().delete
        return self._serve(lambda: redis(key, version, **redis_options),
                           lambda: self._fallback_for([key], version).delete(key, version))

    def delete_many(self, keys: Iterable[Any], version: int | None = None, **redis_options: Any) -> Any:
        keys, redis = list(keys), super().delete_many
        return self._serve(lambda: redis(keys, version, **redis_options),
                           lambda: self._fallback_for(keys, version).delete_many(keys, version))

    def set_many(self, data: dict, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None,
                 **redis_options: Any) -> list:
        redis = super().set_many
        return self._serve(lambda: redis(data, timeout, version, **redis_options),
                           lambda: self._fallback_for(data, version).set_many(
                               data, self._short(timeout), version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None, **redis_options: Any) -> int:
        redis = super().incr
        return self._serve(lambda: redis(key, delta, version, **redis_options),
                           lambda: self._fallback_for([key], version).incr(key, delta, version))

    def decr(self, key: Any, delta: int = 1, version: int | None = None, **redis_options: Any) -> int:
        redis = super().decr
        return self._serve(lambda: redis(key, delta, version, **redis_options),
                           lambda: self._fallback_for([key], version).decr(key, delta, version))

    def incr_version(self, key: Any, delta: int = 1, version: int | None = None, **redis_options: Any) -> int:
        redis, old = super().incr_version, self.version if version is None else version

        def on_fallback() -> int:
            self._state.note_writes([key], old + delta)
            return self._fallback_for([key], old).incr_version(key, delta, version)

        return self._serve(lambda: redis(key, delta, version, **redis_options), on_fallback)

    def clear(self) -> Any:
        redis = super().clear
        return self._serve(redis, self.fallback.clear)

    # --- django-redis extras, written out: during an outage, "nothing there" ---
    def ttl(self, key: Any, version: int | None = None, **redis_options: Any) -> int | None:
        return self._redis_only(super().ttl, None, key, version, **redis_options)

    def pttl(self, key: Any, version: int | None = None, **redis_options: Any) -> int | None:
        return self._redis_only(super().pttl, None, key, version, **redis_options)

    def expire(self, key: Any, timeout: Any, version: int | None = None, **redis_options: Any) -> bool:
        return self._redis_only(super().expire, False, key, timeout, version, **redis_options)

    def pexpire(self, key: Any, timeout: Any, version: int | None = None, **redis_options: Any) -> bool:
        return self._redis_only(super().pexpire, False, key, timeout, version, **redis_options)

    def expire_at(self, key: Any, when: Any, version: int | None = None, **redis_options: Any) -> bool:
        return self._redis_only(super().expire_at, False, key, when, version, **redis_options)

    def persist(self, key: Any, version: int | None = None, **redis_options: Any) -> bool:
        return self._redis_only(super().persist, False, key, version, **redis_options)

    def delete_pattern(self, pattern: str, version: int | None = None, **redis_options: Any) -> int:
        return self._redis_only(super().delete_pattern, 0, pattern, version, **redis_options)

    def keys(self, search: str, version: int | None = None, **redis_options: Any) -> list:
        return self._redis_only(super().keys, [], search, version, **redis_options)

    # --- the breaker ---------------------------------------------------------
    def _serve(self, on_redis: Callable[[], Any], on_fallback: Callable[[], Any]) -> Any:
        """``on_redis()`` if Redis is usable and answers, else ``on_fallback()``; RefusedPayload passes."""
        if self._redis_usable():
            try:
                result = on_redis()
            except RefusedPayload:
                report(ERROR)
                raise
            except REDIS_ERRORS as exc:
                self._state.breaker.failure(exc)
                report(ERROR)
            else:
                report(REDIS)
                return result
        else:
            report(FALLBACK)
        self._state.fallback_calls += 1
        return on_fallback()

    def _redis_only(self, call: Callable[..., Any], unavailable: Any, *args: Any, **kwargs: Any) -> Any:
        return self._serve(lambda: call(*args, **kwargs), lambda: unavailable)

    def _fallback_for(self, keys: Iterable[Any], version: int | None) -> LocMemCache:
        """The fallback, once the keys an outage write touches are noted (deleted in Redis on recovery)."""
        self._state.note_writes(keys, version)
        return self.fallback

    def _short(self, timeout: Any) -> float:
        """``timeout`` capped at FALLBACK_MAX_TTL: other processes cannot see this one's invalidations."""
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        return self._state.max_ttl if timeout is None else min(timeout, self._state.max_ttl)

    def _redis_usable(self) -> bool:
        use, probe = self._state.breaker.allow()
        if not use:
            return False
        if probe:
            try:
                self._recover()
            except REDIS_ERRORS as exc:
                self._state.breaker.failure(exc)
                return False
            except Exception as exc:  # noqa: BLE001 - a faulty receiver must not fail the page
                logger.exception("cache: recovery failed; staying on the fallback")
                self._state.breaker.failure(exc)
                return False
            self._state.breaker.success()
        return True

    def _recover(self) -> None:
        """Make Redis safe to read again; raises if it is still down.

        Deletes in Redis the keys this process wrote during the outage, sends
        ``cache_recovered`` (namespace versions are bumped), clears the fallback.
        """
        client = self.client.get_client(write=True)
        client.ping()
        state = self._state
        with state.lock:
            written, state.written = list(state.written), set()
            overflowed, state.overflowed = state.overflowed, False
        try:
            for start in range(0, len(written), 500):
                client.delete(*[self.make_key(key, version=v) for key, v in written[start:start + 500]])
            cache_recovered.send(sender=type(self), client=client, make_key=self.make_key)
        except REDIS_ERRORS:
            with state.lock:  # keep them for the next probe
                state.written.update(written)
            raise
        if overflowed:
            logger.warning("cache: more keys changed during the outage than could be replayed; "
                           "only namespaced entries are guaranteed fresh")
        self.fallback.clear()

    def _refused(self, key: Any, default: Any, version: int | None, exc: Exception) -> Any:
        """A value in Redis that our serializer did not write: a miss, never executed, and deleted."""
        logger.warning("cache: refused a value read from Redis (%s); treating it as a miss", exc)
        try:
            super().delete(key, version=version)
        except REDIS_ERRORS:
            pass
        return default

    # --- one round trip for a namespaced read -----------------------------
    def get_versioned(self, version_key: str, key: str, default: Any) -> Any:
        """The value of ``key`` under the version stored at ``version_key``.

        One Lua call instead of two GETs. Returns ``UNKNOWN`` when it cannot
        answer (no version yet, Redis unavailable, a custom KEY_FUNCTION): the
        caller then takes the ordinary path, which also serves the fallback.
        """
        if self.key_func is not default_key_func or not self._redis_usable():
            return UNKNOWN
        try:
            client = self.client.get_client(write=False)
            if self._versioned_get is None:
                self._versioned_get = client.register_script(_VERSIONED_GET)
            found = self._versioned_get(keys=[self.make_key(version_key)],
                                        args=[self.key_prefix, key], client=client)
        except REDIS_ERRORS as exc:
            self._state.breaker.failure(exc)
            report(ERROR)
            return UNKNOWN
        report(REDIS)
        if not found:
            return UNKNOWN
        version, payload = found
        if payload is None:
            return default
        try:
            return self.client.decode(payload)
        except RefusedPayload as exc:
            report(ERROR)
            return self._refused(key, default, int(version), exc)

    # --- raw access and health -------------------------------------------
    def run_raw(self, fn: Callable[[Any, Callable[..., str]], Any]) -> Any:
        """``fn(redis_client, make_key)`` through the breaker; None if Redis is unavailable."""
        if not self._redis_usable():
            return None
        try:
            return fn(self.client.get_client(write=True), self.make_key)
        except REDIS_ERRORS as exc:
            self._state.breaker.failure(exc)
            return None

    def health(self) -> dict[str, Any]:
        breaker = self._state.breaker
        return {
            "degraded": breaker.is_open,
            "outages": breaker.outages,
            "last_outage_seconds": breaker.last_outage_seconds,
            "retry_interval": breaker.retry_interval,
            "fallback_calls": self._state.fallback_calls,
        }


_REFUSED = object()
UNKNOWN = object()  # get_versioned could not answer
# KEYS[1]: the version key; ARGV: key prefix, the entry's key (default_key_func layout).
_VERSIONED_GET = """
local version = redis.call('GET', KEYS[1])
if not version then return false end
return {version, redis.call('GET', ARGV[1] .. ':' .. version .. ':' .. ARGV[2])}
"""
