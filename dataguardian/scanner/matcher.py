"""All detector patterns, compiled once, run as one multi-pattern scan.

Two backends give identical candidates:

* ``hyperscan``: one ``hyperscan.Database`` (block mode) scans the whole
  text once and reports, per pattern, every offset where a match ends,
  overlaps included. Every pattern is bounded, so a match ending at ``e``
  starts at or after ``e - maxlen``; the windows ``[e - maxlen, e]`` of one
  pattern are merged into clusters, and only those clusters are searched
  again with the pattern's compiled ``re`` (which also yields the ``v``
  group). Every match the ``re`` backend finds lies inside one cluster, and
  because patterns use no look-around and no ``\\b``, searching a cluster
  gives the same matches as searching the whole text: the two backends agree
  by construction (and a test checks it on a generated corpus). The same
  holds for a search resumed at any position inside a cluster, which the
  engine does after trimming a candidate (``windows``).
  Hyperscan gets a *relaxed* copy of each pattern (no leading boundary,
  wide bounded repeats ``{m,n}`` made ``{m,}``): it reports a superset of
  the end offsets, which only costs a few extra windows, and runs far faster.
  Start-of-match tracking (``HS_FLAG_SOM_LEFTMOST``) would give tighter
  windows but made the scan 2.5x slower on prose, so it is not used.
* ``re``: each compiled pattern's ``finditer`` over the whole text. Slower
  (one pass per pattern) but needs nothing installed.

Both work on bytes where each character of the original text is one byte
(non-ASCII characters become ``?``), so offsets are character offsets. The
engine searches with ``Matcher.search``, which uses a pattern as written only
at offset 0 and elsewhere the same pattern without the ``^`` of its leading
boundary (about 40 % less time in ``re``).

The compiled hyperscan database is kept on disk between runs
(``matcher_cache``): a run with the same patterns loads it instead of
compiling again.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Sequence
from re import _parser as sre_parse

from dataguardian.scanner import matcher_cache

try:
    import hyperscan
except ImportError:  # pragma: no cover - exercised where hyperscan is missing
    hyperscan = None

BACKENDS = ("hyperscan", "re")

logger = logging.getLogger(__name__)


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
        flags = [re.ASCII | (re.IGNORECASE if caseless else 0) for _, caseless in patterns]
        self.compiled = [re.compile(regex.encode(), f) for (regex, _), f in zip(patterns, flags, strict=True)]
        # The same patterns without the ``^`` of a leading boundary
        # ``(?:^|[^...])``: ``re`` runs a plain character class far faster
        # than that alternation, and ``^`` only matters at offset 0 (``search``).
        self.unanchored = [
            re.compile(unanchored(regex).encode(), f) for (regex, _), f in zip(patterns, flags, strict=True)
        ]
        self.max_lengths = [max_length(regex) for regex, _ in patterns]
        self._local = threading.local()
        self._database = self._compile_hyperscan(patterns) if backend == "hyperscan" else None

    @staticmethod
    def _compile_hyperscan(patterns: Sequence[tuple[str, bool]]) -> object:
        """The hyperscan database of ``patterns``: loaded from the cache, else compiled (and cached)."""
        mode = hyperscan.HS_MODE_BLOCK
        expressions = [relaxed(regex).encode() for regex, _ in patterns]
        flags = [hyperscan.HS_FLAG_CASELESS if caseless else 0 for _, caseless in patterns]
        ids = list(range(len(patterns)))
        directory = matcher_cache.cache_dir()
        key = matcher_cache.database_key(expressions, flags, ids, mode, hyperscan.__version__)
        stored = matcher_cache.load(directory, key) if directory else None
        if stored is not None:
            try:
                return hyperscan.loadb(stored, mode)
            except hyperscan.error as exc:  # e.g. a database for another CPU: compile instead
                logger.debug("cached hyperscan database not loaded: %r", exc)
        database = hyperscan.Database(mode=mode)
        database.compile(expressions=expressions, ids=ids, elements=len(patterns), flags=flags)
        if directory:
            matcher_cache.store(directory, key, hyperscan.dumpb(database))
        return database

    def _scratch(self) -> object:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = hyperscan.Scratch(self._database)
            self._local.scratch = scratch
        return scratch

    def __getstate__(self) -> dict[str, object]:
        raise TypeError("a Matcher holds a compiled database; build one per process")

    def windows(self, data: bytes) -> list[tuple[int, int, int]]:
        """(pattern, start, end) windows, sorted, that hold every match of each pattern.

        Searching a pattern's windows from any position gives the match that
        searching the whole text from there gives, so a caller may resume a
        pattern's search wherever it likes (after trimming a candidate, say)
        and both backends still agree. With ``re`` a window is the whole text.
        """
        if self._database is None:
            size = len(data)
            return [(index, 0, size) for index in range(len(self.compiled))]
        return self._clusters(data)

    def search(self, index: int, data: bytes, pos: int, end: int) -> re.Match[bytes] | None:
        """Pattern ``index``'s first match in ``data[pos:end]``, as ``compiled[index].search``.

        ``^`` can only match at offset 0, so only a search from 0 needs the
        pattern as written; elsewhere the faster ``unanchored`` one agrees.
        """
        if pos == 0:
            match = self.compiled[index].match(data, 0, end)
            if match is not None:
                return match
        return self.unanchored[index].search(data, pos, end)

    def find(self, data: bytes) -> Iterator[tuple[int, re.Match[bytes]]]:
        """Every match of every pattern, grouped by pattern, left to right."""
        for index, start, end in self.windows(data):
            for match in self.compiled[index].finditer(data, start, end):
                yield index, match

    def _clusters(self, data: bytes) -> list[tuple[int, int, int]]:
        """(pattern, start, end) windows that hold every match, merged per pattern."""
        open_windows: dict[int, list[int]] = {}
        clusters: list[tuple[int, int, int]] = []
        max_lengths = self.max_lengths

        def on_match(index: int, start: int, end: int, flags: int, context: object) -> None:
            low = end - max_lengths[index]
            window = open_windows.get(index)
            if window is not None and low <= window[1]:
                window[1] = end
                return
            if window is not None:
                clusters.append((index, window[0], window[1]))
            open_windows[index] = [max(0, low), end]

        self._database.scan(data, match_event_handler=on_match, scratch=self._scratch())
        clusters.extend((index, low, high) for index, (low, high) in open_windows.items())
        clusters.sort()
        return clusters


WIDE_REPEAT = re.compile(r"\{(\d+),(\d+)\}")


LEAD = re.compile(r"\(\?:\^\|\[\^[^\]]*\]\)")


def unanchored(regex: str) -> str:
    """``regex`` without the ``^`` of its leading boundary: the same matches
    except at offset 0."""
    if regex.startswith("(?:^|[^"):
        return LEAD.sub(lambda m: m[0][5:-1], regex, count=1)
    return regex


def relaxed(regex: str) -> str:
    """A pattern whose matches end wherever ``regex``'s do, and cheaper to run.

    A leading boundary ``(?:^|[^...])`` is dropped and every repeat ``{m,n}``
    wider than 3 made open-ended: both only add end offsets.
    """
    if regex.startswith("(?:^|[^"):
        regex = LEAD.sub("", regex, count=1)
    return WIDE_REPEAT.sub(lambda m: f"{{{m[1]},}}" if int(m[2]) - int(m[1]) > 3 else m[0], regex)


def max_length(regex: str) -> int:
    """The longest text ``regex`` can match; unbounded patterns are refused."""
    longest = sre_parse.parse(regex).getwidth()[1]
    if longest >= sre_parse.MAXREPEAT:
        raise ValueError(f"pattern must have a bounded length: {regex!r}")
    return longest
