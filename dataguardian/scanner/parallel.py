"""Scan many paths with N worker processes sharing one compiled Engine.

The parent walks the paths and plans work units: small files are batched
together, and a large plain-text file is cut into byte ranges so that
``--jobs 2`` helps on one big file too. A range is widened to whole lines
(the next newline after each cut), so the worker for a range finds exactly
the values that start inside it; it reports line numbers relative to its
start and how many lines it held, and the parent shifts them into place.

Where processes fork, the parent builds the engine before starting the
workers, so the matcher is compiled once and the workers start without
importing anything. Ranges shrink towards the end of a file (from
``RANGE_BYTES`` down to ``RANGE_MIN_BYTES``) so that no worker is left
alone with a large last range, and the parent passes each range's findings
on as soon as the ranges before it are done, while the workers go on.
"""

from __future__ import annotations

import codecs
import functools
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import BinaryIO

from dataguardian.scanner.archives import Limits
from dataguardian.scanner.extractors import detect_kind
from dataguardian.scanner.extractors.encoding import detect_encoding, is_wide_encoding
from dataguardian.scanner.extractors.text import OVERLAP_CHARS, TextStats, iter_text
from dataguardian.scanner.sources import SegmentScanner, scan_file, scan_path, walk
from dataguardian.scanner.types import FileResult, Finding, SourceError

SPLIT_MIN_BYTES = 48 * 1024 * 1024
RANGE_BYTES = 32 * 1024 * 1024
RANGE_MIN_BYTES = 4 * 1024 * 1024
RANGES_PER_JOB_LEFT = 4
BATCH_BYTES = 8 * 1024 * 1024
BATCH_FILES = 200
ALIGN_READ = 64 * 1024

EngineFactory = Callable[[], SegmentScanner]
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class TextRange:
    """Bytes [start, end) of a text file, widened to whole lines by the worker.

    ``file`` numbers the split files of one scan (a path given twice is two files);
    ``index`` and ``count`` place the range among its file's ranges.
    """

    file: int
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
    with increments as work completes. A file cut into byte ranges comes as
    several results, in file order, each as soon as the ranges before it
    are done; only the last carries the file's size.
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
    files: dict[int, _Stitch] = {}
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    # Forked workers inherit an engine built here: one compile instead of one per worker.
    engine = factory() if context.get_start_method() == "fork" else None
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                             initargs=(factory, engine, limits)) as pool:
        for outcome in _completed(pool, units, in_flight=2 * jobs):
            if isinstance(outcome, RangeOutcome):
                report(0, outcome.span)
                for result in _in_order(files, outcome):
                    if result.size:
                        report(1, 0)
                    yield result
                continue
            for result in outcome:
                if "!" not in result.path:
                    report(1, result.size)
                yield result


def _completed(pool: ProcessPoolExecutor, units: list[object],
               in_flight: int) -> Iterator[list[FileResult] | RangeOutcome]:
    """Each unit's outcome as it completes, with at most ``in_flight`` units queued.

    Not ``multiprocessing.Pool``: its worker-handler thread also waits on the
    result pipe, so while a large result sits there unread it spins, and
    took as much CPU as a third of a worker. Bounding what is in flight
    bounds what is held: outcomes are dropped once passed on.
    """
    queue = enumerate(units)
    pending: dict[Future[list[FileResult] | RangeOutcome], int] = {}
    try:
        while True:
            for number, unit in itertools.islice(queue, in_flight - len(pending)):
                pending[pool.submit(_run_unit, unit)] = number
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=pending.__getitem__):
                del pending[future]
                yield future.result()
    finally:
        for future in pending:
            future.cancel()


@dataclass(slots=True)
class RangeOutcome:
    range: TextRange
    result: FileResult
    newlines: int
    span: int


@dataclass(slots=True)
class _Stitch:
    """A split file's ranges that came back before the ones preceding them."""

    next: int = 0
    lines_before: int = 0
    waiting: dict[int, RangeOutcome] = field(default_factory=dict)


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
    batch_bytes = files = 0
    for path in paths:
        for item in walk(path):
            if isinstance(item, SourceError):
                errors.append(item)
                continue
            file_path, size = item
            split = _split(file_path, size, jobs, files) if size >= SPLIT_MIN_BYTES else None
            if split:
                units.extend(split)
                files += 1
                continue
            batch.append(item)
            batch_bytes += size
            if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
                units.append(batch)
                batch, batch_bytes = [], 0
    if batch:
        units.append(batch)
    return units, errors


def _split(path: str, size: int, jobs: int, file: int) -> list[TextRange] | None:
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
    bounds = range_bounds(size, jobs)
    return [TextRange(file, path, size, encoding, start, end, i, len(bounds))
            for i, (start, end) in enumerate(bounds)]


def range_bounds(size: int, jobs: int) -> list[tuple[int, int]]:
    """Consecutive [start, end) byte ranges covering ``size`` bytes.

    ``RANGE_BYTES`` each while much is left, then a fraction of what is
    left, never below ``RANGE_MIN_BYTES``: the last ranges are short, so the
    workers finish close together.
    """
    smallest = min(RANGE_MIN_BYTES, RANGE_BYTES)
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < size:
        step = max(smallest, min(RANGE_BYTES, (size - start) // (jobs * RANGES_PER_JOB_LEFT)))
        end = min(size, start + step)
        bounds.append((start, end))
        start = end
    return bounds


_ENGINE: SegmentScanner | None = None
_LIMITS = Limits()


def _init_worker(factory: EngineFactory, engine: SegmentScanner | None, limits: Limits) -> None:
    global _ENGINE, _LIMITS
    _ENGINE = engine if engine is not None else factory()
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
                lead = _lead(handle, start, unit.encoding)
                for segment in iter_text(handle, unit.path, unit.encoding, body_bytes=end - start,
                                         overlap_chars=OVERLAP_CHARS, stats=stats, lead=lead):
                    result.findings.extend(engine.scan_segment(segment))
    except OSError as exc:
        result.errors.append(SourceError(unit.path, f"could not read: {exc.strerror or exc}"))
    return RangeOutcome(unit, result, stats.newlines, unit.end - unit.start)


def _lead(handle: BinaryIO, start: int, encoding: str) -> str:
    """The text just before ``start`` (context for the first values), leaving the handle at ``start``."""
    back = max(0, start - OVERLAP_CHARS)
    handle.seek(back)
    return codecs.decode(handle.read(start - back), encoding, errors="replace")


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


def _in_order(files: dict[int, _Stitch], outcome: RangeOutcome) -> Iterator[FileResult]:
    """The results of a file's ranges that are now ready, in file order, lines shifted."""
    unit = outcome.range
    stitch = files.setdefault(unit.file, _Stitch())
    stitch.waiting[unit.index] = outcome
    while stitch.next in stitch.waiting:
        ready = stitch.waiting.pop(stitch.next)
        _shift_lines(ready.result.findings, stitch.lines_before)
        stitch.lines_before += ready.newlines
        stitch.next += 1
        ready.result.size = unit.size if stitch.next == unit.count else 0
        yield ready.result
    if stitch.next == unit.count:
        del files[unit.file]


def _shift_lines(findings: list[Finding], lines: int) -> None:
    """Add ``lines`` to each finding's line, in place.

    The findings were just unpickled from a worker and nothing else holds
    them, so setting the field costs nothing next to ``dataclasses.replace``
    (a new object per finding, a serial cost in the parent).
    """
    if not lines:
        return
    for finding in findings:
        if finding.line is not None:
            object.__setattr__(finding, "line", finding.line + lines)
