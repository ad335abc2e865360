"""All detector patterns, compiled once, run as one multi-pattern scan.

Two backends give identical candidates:

* ``hyperscan``: one ``hyperscan.Database`` (block mode, SOM leftmost) scans
  the whole text once. It reports, per pattern, every end offset with the
  leftmost start of a match ending there, overlaps included. Reports of one
  pattern whose spans overlap or touch are merged into a cluster, and only
  those clusters are searched again with the pattern's compiled ``re``
  (which also yields the ``v`` group). Every match the ``re`` backend would
  find lies inside such a cluster (hyperscan reports its end with a start at
  or before its own), and because patterns use no look-around and no
  ``\\b``, searching a cluster gives the same matches as searching the text.
* ``re``: each compiled pattern's ``finditer`` over the whole text. Slower
  (one pass per pattern) but needs nothing installed.

Both work on bytes where each character of the original text is one byte
(non-ASCII characters become ``?``), so offsets are character offsets.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence

try:
    import hyperscan
except ImportError:  # pragma: no cover - exercised where hyperscan is missing
    hyperscan = None

BACKENDS = ("hyperscan", "re")


def default_backend() -> str:
    return "hyperscan" if hyperscan is not None else "re"


def to_bytes(text: str) -> bytes:
    """One byte per character: ASCII as is, everything else ``?``."""
    return text.encode("ascii", "replace")


class Matcher:
    """Finds every pattern's matches in a text; ``find`` yields (index, match)."""

    def __init__(self, patterns: Sequence[tuple[str, bool]], backend: str | None = None) -> None:
        backend = backend or default_backend()
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; choose from {BACKENDS}")
        if backend == "hyperscan" and hyperscan is None:
            raise ValueError("the hyperscan backend needs the hyperscan package")
        self.backend = backend
        self.compiled = [
            re.compile(regex.encode(), re.ASCII | (re.IGNORECASE if caseless else 0))
            for regex, caseless in patterns
        ]
        self._local = threading.local()
        self._database = self._compile_hyperscan(patterns) if backend == "hyperscan" else None

    @staticmethod
    def _compile_hyperscan(patterns: Sequence[tuple[str, bool]]) -> object:
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        flags = [
            hyperscan.HS_FLAG_SOM_LEFTMOST | (hyperscan.HS_FLAG_CASELESS if caseless else 0)
            for _, caseless in patterns
        ]
        database.compile(
            expressions=[regex.encode() for regex, _ in patterns],
            ids=list(range(len(patterns))),
            elements=len(patterns),
            flags=flags,
        )
        return database

    def _scratch(self) -> object:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = hyperscan.Scratch(self._database)
            self._local.scratch = scratch
        return scratch

    def __getstate__(self) -> dict[str, object]:
        raise TypeError("a Matcher holds a compiled database; build one per process")

    def find(self, data: bytes) -> Iterator[tuple[int, re.Match[bytes]]]:
        """Every match of every pattern, grouped by pattern, left to right."""
        if self._database is None:
            for index, pattern in enumerate(self.compiled):
                for match in pattern.finditer(data):
                    yield index, match
            return
        for index, start, end in self._clusters(data):
            for match in self.compiled[index].finditer(data, start, end):
                yield index, match

    def _clusters(self, data: bytes) -> list[tuple[int, int, int]]:
        reports: list[tuple[int, int, int]] = []
        append = reports.append

        def on_match(index: int, start: int, end: int, flags: int, context: object) -> None:
            append((index, start, end))

        self._database.scan(data, match_event_handler=on_match, scratch=self._scratch())
        if not reports:
            return []
        reports.sort()
        clusters: list[tuple[int, int, int]] = []
        index, low, high = reports[0]
        for r_index, r_start, r_end in reports[1:]:
            if r_index == index and r_start <= high:
                high = max(high, r_end)
                continue
            clusters.append((index, low, high))
            index, low, high = r_index, r_start, r_end
        clusters.append((index, low, high))
        return clusters
