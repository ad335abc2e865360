"""Scan many paths with N worker processes, each building its Engine once.

The parent walks the paths and plans work units: small files are batched
together, and a large plain-text file is cut into byte ranges so that
``--jobs 2`` helps on one big file too. A range is widened to whole lines
(the next newline after each cut), so the worker for a range finds exactly
the values that start inside it; it reports line numbers relative to its
start and how many lines it held, and the parent shifts them into place.
"""

from __future__ import annotations

import dataclasses
import functools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from dataguardian.scanner.archives import Limits
from dataguardian.scanner.extractors import detect_kind
from dataguardian.scanner.extractors.encoding import detect_encoding, is_wide_encoding
from dataguardian.scanner.extractors.text import OVERLAP_CHARS, TextStats, iter_text
from dataguardian.scanner.sources import SegmentScanner, scan_file, scan_path, walk
from dataguardian.scanner.types import FileResult, SourceError

SPLIT_MIN_BYTES = 48 * 1024 * 1024
RANGE_BYTES = 32 * 1024 * 1024
BATCH_BYTES = 8 * 1024 * 1024
BATCH_FILES = 200
ALIGN_READ = 64 * 1024

EngineFactory = Callable[[], SegmentScanner]
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class TextRange:
    """Bytes [start, end) of a text file, widened to whole lines by the worker."""

    path: str
    size: int
    encoding: str
    start: int
    end: int
    index: int
    count: int


def scan_paths(
    paths: Iterable[str],
    engine_factory: EngineFactory | bytes,
    *,
    jobs: int = 1,
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> Iterator[FileResult]:
    """Scan ``paths`` with ``jobs`` processes; yield results as they complete.

    ``engine_factory`` is a picklable callable returning an engine, or a
    hash key for the default Engine. ``progress(files, bytes)`` is called
    with increments as work completes.
    """
    factory = _factory(engine_factory)
    limits = limits or Limits()
    report = progress or (lambda files, size: None)
    if jobs <= 1:
        engine = factory()
        for path in paths:
            for result in scan_path(path, engine, limits):
                if "!" not in result.path:
                    report(1, result.size)
                yield result
        return
    units, early = _plan(paths, jobs)
    for error in early:
        report(1, 0)
        yield FileResult(error.path, errors=[error])
    ranges: dict[str, list[tuple[FileResult, int] | None]] = {}
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(jobs, initializer=_init_worker, initargs=(factory, limits)) as pool:
        for outcome in pool.imap_unordered(_run_unit, units):
            if isinstance(outcome, RangeOutcome):
                report(0, outcome.span)
                merged = _merge(ranges, outcome)
                if merged is not None:
                    report(1, 0)
                    yield merged
                continue
            for result in outcome:
                if "!" not in result.path:
                    report(1, result.size)
                yield result


@dataclass(slots=True)
class RangeOutcome:
    range: TextRange
    result: FileResult
    newlines: int
    span: int


def _factory(engine_factory: EngineFactory | bytes) -> EngineFactory:
    if isinstance(engine_factory, bytes):
        from dataguardian.scanner.engine import Engine

        return functools.partial(Engine, engine_factory)
    return engine_factory


def _plan(paths: Iterable[str], jobs: int) -> tuple[list[object], list[SourceError]]:
    """Work units: batches of (path, size) files and ranges of large text files."""
    units: list[object] = []
    errors: list[SourceError] = []
    batch: list[tuple[str, int]] = []
    batch_bytes = 0
    for path in paths:
        for item in walk(path):
            if isinstance(item, SourceError):
                errors.append(item)
                continue
            file_path, size = item
            split = _split(file_path, size) if size >= SPLIT_MIN_BYTES else None
            if split:
                units.extend(split)
                continue
            batch.append(item)
            batch_bytes += size
            if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
                units.append(batch)
                batch, batch_bytes = [], 0
    if batch:
        units.append(batch)
    return units, errors


def _split(path: str, size: int) -> list[TextRange] | None:
    """Ranges for a large plain-text file in a byte-splittable encoding, else None."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return None
    if detect_kind(head, os.path.basename(path)) != "text":
        return None
    encoding = detect_encoding(head)
    if is_wide_encoding(encoding):
        return None
    count = -(-size // RANGE_BYTES)
    step = -(-size // count)
    return [TextRange(path, size, encoding, i * step, min(size, (i + 1) * step), i, count)
            for i in range(count)]


_ENGINE: SegmentScanner | None = None
_LIMITS = Limits()


def _init_worker(factory: EngineFactory, limits: Limits) -> None:
    global _ENGINE, _LIMITS
    _ENGINE = factory()
    _LIMITS = limits


def _run_unit(unit: object) -> list[FileResult] | RangeOutcome:
    assert _ENGINE is not None
    if isinstance(unit, TextRange):
        return _run_range(unit, _ENGINE)
    results: list[FileResult] = []
    for path, size in unit:  # type: ignore[attr-defined]
        results.extend(scan_file(path, _ENGINE, _LIMITS, size=size))
    return results


def _run_range(unit: TextRange, engine: SegmentScanner) -> RangeOutcome:
    result = FileResult(unit.path, unit.size)
    stats = TextStats()
    try:
        with open(unit.path, "rb") as handle:
            start, end = _align(handle, unit.start), _align(handle, unit.end)
            if start < end:
                handle.seek(start)
                for segment in iter_text(handle, unit.path, unit.encoding, body_bytes=end - start,
                                         overlap_chars=OVERLAP_CHARS, stats=stats):
                    result.findings.extend(engine.scan_segment(segment))
    except OSError as exc:
        result.errors.append(SourceError(unit.path, f"could not read: {exc.strerror or exc}"))
    return RangeOutcome(unit, result, stats.newlines, unit.end - unit.start)


def _align(handle: object, position: int) -> int:
    """The first line start at or after ``position`` (0 stays 0; may be EOF)."""
    if position == 0:
        return 0
    handle.seek(position - 1)  # type: ignore[attr-defined]
    offset = position - 1
    while True:
        block = handle.read(ALIGN_READ)  # type: ignore[attr-defined]
        if not block:
            return offset
        newline = block.find(b"\n")
        if newline >= 0:
            return offset + newline + 1
        offset += len(block)


def _merge(pending: dict[str, list[tuple[FileResult, int] | None]],
           outcome: RangeOutcome) -> FileResult | None:
    """Collect a file's ranges; once all are in, one result with real line numbers."""
    unit = outcome.range
    parts = pending.setdefault(unit.path, [None] * unit.count)
    parts[unit.index] = (outcome.result, outcome.newlines)
    if any(part is None for part in parts):
        return None
    del pending[unit.path]
    merged = FileResult(unit.path, unit.size)
    lines_before = 0
    for part in parts:
        assert part is not None
        result, newlines = part
        merged.errors.extend(result.errors)
        merged.findings.extend(
            dataclasses.replace(f, line=f.line + lines_before) if f.line is not None else f
            for f in result.findings)
        lines_before += newlines
    return merged
