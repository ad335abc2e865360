"""A circuit breaker for the Redis cache: closed, open, probing.

Closed: calls go to Redis. The first failure opens the circuit (logged once
per outage); while open, calls are served by the fallback without touching
Redis, and once per ``retry_interval`` one caller is let through to probe it.
A successful probe closes the circuit (logged once, with the outage length).
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger("performance.cache")


class CircuitBreaker:
    def __init__(self, name: str, retry_interval: float):
        self.name = name
        self.retry_interval = retry_interval
        self._lock = threading.Lock()
        self._open_since: float | None = None
        self._next_probe = 0.0
        self.outages = 0
        self.last_outage_seconds: float | None = None

    @property
    def is_open(self) -> bool:
        return self._open_since is not None

    def allow(self) -> tuple[bool, bool]:
        """(use Redis?, is this call a probe?) — at most one probe per interval."""
        if self._open_since is None:
            return True, False
        with self._lock:
            if self._open_since is None:
                return True, False
            now = time.monotonic()
            if now < self._next_probe:
                return False, False
            self._next_probe = now + self.retry_interval
            return True, True

    def failure(self, exc: BaseException) -> None:
        with self._lock:
            now = time.monotonic()
            self._next_probe = now + self.retry_interval
            if self._open_since is not None:
                return
            self._open_since = now
            self.outages += 1
        logger.warning(
            "cache %s: Redis unavailable (%s: %s); serving from the in-process fallback, "
            "retrying every %.1fs",
            self.name, type(exc).__name__, exc, self.retry_interval,
        )

    def success(self) -> bool:
        """Close the circuit; True if it was open (the caller runs recovery)."""
        if self._open_since is None:
            return False
        with self._lock:
            if self._open_since is None:
                return False
            self.last_outage_seconds = time.monotonic() - self._open_since
            self._open_since = None
        logger.warning(
            "cache %s: Redis is back after %.1fs; using it again", self.name, self.last_outage_seconds
        )
        return True
