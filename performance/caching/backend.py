"""``ResilientRedisCache``: django-redis that keeps working while Redis is down.

A thin subclass of ``django_redis.cache.RedisCache``: every call of Django's
cache API goes to Redis through a circuit breaker; when Redis fails or is
slow (socket timeouts), the same call is served by a bounded in-process LRU
with TTLs (Django's LocMemCache with MAX_ENTRIES) and the circuit opens.
Once per retry interval one call probes Redis; on success the backend
recovers before serving anything from Redis again:

1. keys this process wrote or deleted during the outage are deleted in
   Redis (bounded by the fallback size), so Redis cannot hand back a value
   that was replaced while it was away;
2. ``cache_recovered`` is sent: ``performance.cache`` bumps every namespace
   version there, which covers what step 1 cannot (other processes, a
   worker recycled during the outage);
3. the fallback is cleared.

Chosen over DJANGO_REDIS_IGNORE_EXCEPTIONS, which turns an outage into
misses (every session lost, every lock granted), logs one traceback per call
and keeps paying a connect timeout on every call.

OPTIONS (besides django-redis's): RETRY_INTERVAL (seconds between probes,
default 2), FALLBACK_MAX_ENTRIES (default 5000), FALLBACK_MAX_TTL (seconds,
default 60: the fallback of one process cannot see another's invalidations,
so what it holds during an outage is kept briefly).
"""

from __future__ import annotations

import logging
import socket
import threading
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

# Django makes one backend instance per thread; breaker, fallback store and
# outage bookkeeping are per process, shared by all of them.
_shared: dict[str, _ProcessState] = {}
_shared_lock = threading.Lock()

# Positions of ``version`` among the positional arguments of writing calls.
_WRITES = {"set": 3, "add": 3, "delete": 1, "incr": 2, "decr": 2, "touch": 2,
           "set_many": 2, "delete_many": 1}
# Positions of ``timeout``: fallback entries live FALLBACK_MAX_TTL at most,
# because other processes cannot see this process's invalidations meanwhile.
_TIMEOUTS = {"set": 2, "add": 2, "touch": 1, "set_many": 1}
_FALLBACK_CALLS = ("get", "get_many", "has_key", "clear", *_WRITES)
# Redis-only calls: during an outage they answer like "nothing there".
_REDIS_ONLY = {"ttl": None, "pttl": None, "expire": False, "expire_at": False, "pexpire": False,
               "persist": False, "delete_pattern": 0, "keys": []}


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

    def note_writes(self, keys: list[str], version: int | None) -> None:
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

    # --- the breaker ---------------------------------------------------------
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
        """Make Redis safe to read again; raises if it is still down."""
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

    def _call(self, name: str, args: tuple, kwargs: dict) -> Any:
        if self._redis_usable():
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except RefusedPayload as exc:
                return self._refused(name, args, kwargs, exc)
            except REDIS_ERRORS as exc:
                self._state.breaker.failure(exc)
                report(ERROR)
            else:
                report(REDIS)
                return result
        else:
            report(FALLBACK)
        return self._fallback_call(name, args, kwargs)

    def _fallback_call(self, name: str, args: tuple, kwargs: dict) -> Any:
        kwargs = {k: v for k, v in kwargs.items() if k != "client"}
        self._state.fallback_calls += 1
        if name in _WRITES:
            index = _WRITES[name]
            version = kwargs.get("version", args[index] if len(args) > index else None)
            keys = args[0] if args else kwargs.get("keys", kwargs.get("data", kwargs.get("key")))
            keys = list(keys) if isinstance(keys, (dict, list, tuple, set)) else [keys]
            self._state.note_writes(keys, version)
        if name in _REDIS_ONLY:
            return _REDIS_ONLY[name]
        if name in _TIMEOUTS:
            args, kwargs = self._short_timeout(_TIMEOUTS[name], args, kwargs)
        return getattr(self.fallback, name)(*args, **kwargs)

    def _short_timeout(self, index: int, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        """The call's arguments with its timeout capped at FALLBACK_MAX_TTL."""
        if len(args) > index:
            timeout = args[index]
        else:
            timeout = kwargs.get("timeout", DEFAULT_TIMEOUT)
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        if timeout is None or timeout > self._state.max_ttl:
            timeout = self._state.max_ttl
        if len(args) > index:
            return (*args[:index], timeout, *args[index + 1:]), kwargs
        return args, {**kwargs, "timeout": timeout}

    def _refused(self, name: str, args: tuple, kwargs: dict, exc: Exception) -> Any:
        """A value in Redis that our serializer did not write: a miss, never executed."""
        report(ERROR)
        logger.warning("cache: refused a value read from Redis (%s); treating it as a miss", exc)
        if name == "get_many":
            return {key: value for key in args[0]
                    if (value := self.get(key, _REFUSED, version=kwargs.get("version"))) is not _REFUSED}
        key = args[0] if args else kwargs.get("key")
        try:
            super().delete(key, version=kwargs.get("version"))
        except REDIS_ERRORS:
            pass
        return kwargs.get("default", args[1] if len(args) > 1 else None)

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
            return self._refused("get", (key, default), {"version": int(version)}, exc)

    # --- raw access and health -------------------------------------------
    def run_raw(self, fn) -> Any:
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


def _make(name: str):
    def method(self, *args, **kwargs):
        return self._call(name, args, kwargs)

    method.__name__ = name
    method.__doc__ = f"``{name}`` on Redis, or on the in-process fallback while Redis is down."
    return method


for _name in (*_FALLBACK_CALLS, *_REDIS_ONLY):
    setattr(ResilientRedisCache, _name, _make(_name))
