"""Cached, database-backed owned sessions.

Django's cached_db behaviour (read from the cache, write through to the
database) over this app's db store: the method resolution order puts
Django's cached_db methods first and ``sessions_ext.backends.db`` below them,
so nothing is copied from either.

The cache is ``caches[SESSION_CACHE_ALIAS]``, as in Django, rather than a
``performance.cache`` namespace: this app must work without ``performance``,
and a namespace-wide invalidation there would sign every user out. A cache
that fails degrades to database reads; it never fails the request.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from sessions_ext.backends.db import SessionStore as OwnedDBStore

logger = logging.getLogger(__name__)

KEY_PREFIX = "sessions_ext.cached_db"


class _Guarded:
    """The session cache, with server errors logged and answered as misses."""

    def __init__(self, cache):
        self._cache = cache

    def _call(self, name: str, *args, default=None):
        try:
            return getattr(self._cache, name)(*args)
        except Exception:  # noqa: BLE001 - any cache failure degrades to the database
            logger.warning("session cache %s failed", name, exc_info=True)
            return default

    def get(self, key):
        return self._call("get", key)

    def set(self, key, value, timeout=None):
        return self._call("set", key, value, timeout)

    def delete(self, key):
        return self._call("delete", key, default=False)

    def __getattr__(self, name):
        # The async methods and anything else pass straight through.
        return getattr(self._cache, name)

    def __contains__(self, key):
        return bool(self._call("has_key", key, default=False))


class SessionStore(CachedDBStore, OwnedDBStore):
    cache_key_prefix = KEY_PREFIX

    def __init__(self, session_key: str | None = None):
        super().__init__(session_key)
        self._cache = _Guarded(self._cache)

    async def asave(self, must_create: bool = False) -> None:
        await OwnedDBStore.asave(self, must_create)
