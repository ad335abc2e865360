"""Caching of expensive read-mostly queries, invalidated when a write commits.

    from performance.querycache import cached_query, invalidate_on_commit

    summary = cached_query("dashboard", ("org", org.pk, "risk-by-week"), compute,
                           depends_on=("org", org.pk))
    ...
    with transaction.atomic():
        scan.save()
        invalidate_on_commit("dashboard", ("org", org.pk))

Built on ``performance.cache`` namespaces. Each dependency key has a
*generation*, a random token in the cache. A cached result is stored under
the generation its reader saw **before** running the query (the token is
part of the value's key), so it is served only while that generation is
still current. A miss is computed through ``Namespace.get_or_set``: under
concurrent readers of one generation only one runs ``fn`` (stampede
protection); old generations' entries are never read again and expire on
their TTL. A write replaces the token
twice: inside the transaction with a ``dirty:`` token (readers then query
the database and cache nothing) and after the commit with a new token. So
a result computed from a snapshot older than the commit — by a reader that
raced the write — is never served once the writer's commit has returned:
its generation is no longer current. Why explicit keys rather than
django-cachalot: docs/ARCHITECTURE.md ("Query cache").

PERFORMANCE_QUERY_CACHE: "auto" (default) caches only on a cache shared by
every process (Redis): an in-process cache cannot see another process's
invalidation, so there ``fn`` simply runs. True forces it on (tests), False
turns it off. While the Redis cache is degraded (its circuit breaker open)
results are not cached either, for the same reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS, transaction

from performance import conf
from performance.cache import namespace as cache_ns

DIRTY = "dirty:"
# Generations outlive the results they guard; an evicted one only costs a miss.
GENERATION_TTL = 30 * 24 * 3600
# A dirty mark is replaced at commit; if the transaction rolls back it expires.
DIRTY_TTL = 600

KeyParts = Sequence[Hashable]


def _enabled(ns) -> bool:
    mode = conf.get("PERFORMANCE_QUERY_CACHE")
    if mode is False or mode == "off":
        return False
    cache = ns.cache
    health = getattr(cache, "health", None)
    if health is not None and health().get("degraded"):
        return False
    if mode == "auto":
        return not isinstance(cache, (LocMemCache, DummyCache))
    return True


def _gen_key(parts: KeyParts) -> tuple:
    return ("qc-gen", *parts)


def cached_query(namespace: str, key_parts: KeyParts, fn: Callable[[], Any], *, ttl: int | None = None,
                 depends_on: KeyParts | None = None) -> Any:
    """``fn()``'s result, cached under ``key_parts`` until ``depends_on`` is invalidated.

    ``depends_on`` (default: ``key_parts``) is the key writes invalidate;
    several cached queries may depend on one key. The result must be
    serialisable by the cache (plain values, lists, dicts, dates, Decimals).
    """
    ns = cache_ns(namespace)
    if not _enabled(ns):
        return fn()
    gen_key = _gen_key(tuple(depends_on) if depends_on is not None else tuple(key_parts))
    generation = ns.get(gen_key)
    if generation is None:
        # Set before the query runs: a result tagged with it saw every write
        # committed before it existed.
        generation = uuid.uuid4().hex
        ns.set(gen_key, generation, ttl=GENERATION_TTL)
    elif generation.startswith(DIRTY):
        return fn()  # a write is committing: what we read now may be old at once
    # The generation is part of the value's key: a result is only ever found
    # under the generation read before its query ran. The miss goes through
    # the namespace's stampede-protected get_or_set (one reader computes, the
    # others wait for it), whose lock is per generation too, so waiting never
    # serves a result older than the generation the waiter saw.
    return ns.get_or_set(("qc", *key_parts, generation), fn, ttl=ttl)


def invalidate_on_commit(namespace: str, key_parts: KeyParts, using: str = DEFAULT_DB_ALIAS) -> None:
    """Invalidate every cached query depending on ``key_parts`` when the transaction commits.

    Call it inside the writing transaction (``transaction.atomic``), next to
    the write. Readers bypass the cache from now until the commit; on
    rollback the dirty mark expires after DIRTY_TTL seconds.
    """
    ns = cache_ns(namespace)
    gen_key = _gen_key(tuple(key_parts))
    ns.set(gen_key, DIRTY + uuid.uuid4().hex, ttl=DIRTY_TTL)
    transaction.on_commit(lambda: ns.set(gen_key, uuid.uuid4().hex, ttl=GENERATION_TTL),
                          using=using, robust=True)


def invalidate_now(namespace: str, key_parts: KeyParts) -> None:
    """Invalidate at once (for changes made outside a transaction, or by hand)."""
    cache_ns(namespace).set(_gen_key(tuple(key_parts)), uuid.uuid4().hex, ttl=GENERATION_TTL)
