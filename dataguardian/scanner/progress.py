"""A one-line progress bar on a terminal: files and bytes done, rate, time left."""

from __future__ import annotations

import time
from typing import TextIO

from dataguardian.scanner.streams import human_bytes


class ProgressBar:
    """Redrawn at most ten times a second; call :meth:`close` to end the line."""

    def __init__(self, total_files: int, total_bytes: int, stream: TextIO, width: int = 24) -> None:
        self.total_files = total_files
        self.total_bytes = total_bytes
        self.files = 0
        self.bytes = 0
        self.stream = stream
        self.width = width
        self.started = time.monotonic()
        self._drawn = 0.0

    def update(self, files: int, size: int) -> None:
        self.files += files
        self.bytes += size
        now = time.monotonic()
        if now - self._drawn >= 0.1:
            self._drawn = now
            self.stream.write("\r" + self.render(now))
            self.stream.flush()

    def render(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self.started, 1e-6)
        done = min(self.bytes / self.total_bytes, 1.0) if self.total_bytes else 0.0
        filled = int(done * self.width)
        rate = self.bytes / elapsed
        left = (self.total_bytes - self.bytes) / rate if rate > 0 else 0.0
        return (f"[{'#' * filled}{'-' * (self.width - filled)}] "
                f"{self.files}/{self.total_files} files  "
                f"{human_bytes(self.bytes)}/{human_bytes(self.total_bytes)}  "
                f"{human_bytes(rate)}/s  {_clock(left)} left ")

    def close(self) -> None:
        self.stream.write("\r" + self.render() + "\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
