"""Log a failing background job once per outage, and once when it recovers.

    writes = OutageLog(logger, "could not write monitoring data")
    try:
        write()
    except Exception as exc:
        writes.failed(exc)         # a warning the first time, then silence
    else:
        writes.succeeded()         # an info line if it had been failing
"""

from __future__ import annotations

import logging
import threading


class OutageLog:
    def __init__(self, logger: logging.Logger, what: str):
        self.logger = logger
        self.what = what
        self.failing = False
        self.failures = 0
        self._lock = threading.Lock()

    def failed(self, exc: BaseException) -> bool:
        """Count a failure; True (and one warning) when it starts an outage."""
        with self._lock:
            self.failures += 1
            first, self.failing = not self.failing, True
        if first:
            self.logger.warning("%s (kept for the next try; logged once until it works again): %s: %s",
                                self.what, type(exc).__name__, exc)
        return first

    def succeeded(self) -> None:
        with self._lock:
            was, self.failing = self.failing, False
            failures, self.failures = self.failures, 0
        if was:
            self.logger.info("%s: works again after %d failed tries", self.what, failures)
