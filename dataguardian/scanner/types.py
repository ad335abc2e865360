"""The two value types the engine trades in: what goes in and what comes out.

Extractors turn a source (a file, an archive member, a spreadsheet, a database
table) into ``Segment``s of text that carry where they came from; the engine
turns each segment into ``Finding``s. A finding never holds the raw value:
only its masked form and a keyed hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of text to scan and where it sits in its source.

    ``base_line``/``base_column`` are the 1-based line and column of
    ``text[keep_from]``, so a chunk cut from the middle of a file still
    reports real positions. ``keep_before`` and ``keep_from`` serve chunked
    reading with overlaps: only values that *start* in
    ``text[keep_from:keep_before]`` are reported, so a value crossing a chunk
    border is found exactly once. The text outside that window (the end of
    the previous chunk, the start of the next) is still read for context
    words, special-category words, overlaps and the masked snippet, so a
    value near a border is reported as it would be without the border.
    Tabular sources set ``header`` (the column's name) and their own location
    fields instead of lines; a database row's key comes masked (``row_key``)
    and as a keyed hash (``row_key_hash``), never in clear.
    """

    text: str
    path: str
    base_line: int | None = 1
    base_column: int = 1
    keep_before: int | None = None
    keep_from: int = 0
    header: str | None = None
    sheet: str | None = None
    cell: str | None = None
    table: str | None = None
    column_name: str | None = None
    row_key: str | None = None
    row_key_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data or one secret, as it may be stored and shown."""

    entity: str
    severity: str
    category: str
    confidence: float
    path: str
    masked: str
    value_hash: str
    context: str = ""
    line: int | None = None
    column: int | None = None
    sheet: str | None = None
    cell: str | None = None
    table: str | None = None
    column_name: str | None = None
    row_key: str | None = None
    row_key_hash: str | None = None

    def as_dict(self) -> dict[str, Any]:
        # Every field is a plain value, so a shallow copy is exact; asdict()'s
        # recursive deep copy made the command line's output its bottleneck.
        return {name: getattr(self, name) for name in _FINDING_FIELDS}

    def __reduce__(self) -> tuple[type[Finding], tuple[Any, ...]]:
        # Pickled by the field values: half the cost of the dataclass default
        # (per-object fields() and setattr calls), which --jobs pays per finding.
        return Finding, _finding_values(self)


@dataclass(frozen=True, slots=True)
class SourceError:
    """A part of a source that could not be scanned, and why, in words."""

    path: str
    reason: str


@dataclass(slots=True)
class FileResult:
    """What scanning one file (or one archive member) produced."""

    path: str
    size: int = 0
    findings: list[Finding] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))
_finding_values = attrgetter(*_FINDING_FIELDS)
