"""Where the cache operations since the last ``begin()`` on this thread were served from.

The resilient backend reports each call; namespaces read the worst outcome
of an operation (which may take several backend calls) for their statistics.
A plain Django cache (LocMemCache) reports nothing, so it reads "local".
"""

from __future__ import annotations

import threading

LOCAL = "local"  # no Redis configured: the in-process cache
REDIS = "redis"  # answered by Redis
FALLBACK = "fallback"  # served by the in-process fallback (circuit open)
ERROR = "error"  # Redis failed, or sent a refused payload, during this operation
_RANK = {LOCAL: 0, REDIS: 1, FALLBACK: 2, ERROR: 3}

_state = threading.local()


def begin() -> None:
    _state.value = LOCAL


def report(value: str) -> None:
    """Record one backend call's outcome; the worst one of an operation wins."""
    if _RANK[value] > _RANK[getattr(_state, "value", LOCAL)]:
        _state.value = value


def last_outcome() -> str:
    """The worst outcome since ``begin()``."""
    return getattr(_state, "value", LOCAL)
