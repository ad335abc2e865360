"""Small stream wrappers: peek at a stream's head, count and cap what is read.

Everything in the scanner reads sources as streams so that memory stays
bounded; these wrappers add the two things plain file objects lack.
"""

from __future__ import annotations

import io
from typing import BinaryIO


class LimitExceeded(Exception):
    """A size or ratio limit was hit while reading; the message says which."""


class PeekableStream(io.RawIOBase):
    """A read-only stream whose first bytes can be looked at before reading."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._buffer = b""

    def peek_head(self, size: int) -> bytes:
        while len(self._buffer) < size:
            more = self._raw.read(size - len(self._buffer))
            if not more:
                break
            self._buffer += more
        return self._buffer[:size]

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            data, self._buffer = self._buffer + self._raw.read(), b""
            return data
        if self._buffer:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
            if len(data) < size:
                data += self._raw.read(size - len(data))
            return data
        return self._raw.read(size)

    def readinto(self, target: bytearray) -> int:  # type: ignore[override]
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)


class CountingStream(io.RawIOBase):
    """Counts the bytes read through it and raises once ``cap`` is passed."""

    def __init__(self, raw: BinaryIO, cap: int | None = None, what: str = "data") -> None:
        self._raw = raw
        self.count = 0
        self.cap = cap
        self.what = what

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.count += len(data)
        if self.cap is not None and self.count > self.cap:
            raise LimitExceeded(f"{self.what} exceeds the limit of {human_bytes(self.cap)}")
        return data

    def readinto(self, target: bytearray) -> int:  # type: ignore[override]
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)


def human_bytes(count: float) -> str:
    """``1536`` -> ``'1.5 KiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(count) < 1024 or unit == "TiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} TiB"
