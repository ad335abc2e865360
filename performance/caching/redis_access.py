"""Raw Redis access for what Django's cache API cannot say (pipelines, INFO).

Goes through the resilient backend's circuit breaker when there is one, so a
down Redis costs nothing here either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache import caches

from performance import conf

logger = logging.getLogger("performance.cache")


def cache_backend():
    return caches[conf.get("PERFORMANCE_CACHE_ALIAS")]


def run_on_redis(fn: Callable[[Any, Callable[[str], str]], Any]) -> Any:
    """``fn(redis_client, make_key)``, or None when there is no Redis to ask.

    None also when Redis is down; the error is counted by the breaker, not raised.
    """
    cache = cache_backend()
    runner = getattr(cache, "run_raw", None)
    if runner is not None:
        return runner(fn)
    client_factory = getattr(getattr(cache, "client", None), "get_client", None)
    if client_factory is None:  # not Redis (LocMemCache): nothing to ask
        return None
    try:
        return fn(client_factory(write=True), cache.make_key)
    except Exception:  # noqa: BLE001 - a plain django-redis cache: stats must never break a page
        logger.debug("raw Redis call failed", exc_info=True)
        return None
