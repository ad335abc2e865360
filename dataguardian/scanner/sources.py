"""Walk files and folders and scan each file, archive member by member.

:func:`scan_path` is the sequential core: it walks a path (never following
a symlink loop), opens each file once, picks an extractor or an archive
reader by content, and yields one :class:`FileResult` per file and per
archive member. Whatever goes wrong with one file becomes a SourceError in
its result and the walk goes on. The parallel runner lives in ``parallel``.
"""

from __future__ import annotations

import errno
import gzip
import io
import lzma
import os
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO, Protocol

from dataguardian.scanner.archives import Budget, Limits, Member, iter_members
from dataguardian.scanner.extractors import (
    ARCHIVE_KINDS,
    HEAD_BYTES,
    RANDOM_ACCESS_KINDS,
    detect_kind,
    extract,
    zip_kind,
)
from dataguardian.scanner.streams import LimitExceeded, PeekableStream, human_bytes
from dataguardian.scanner.types import FileResult, Finding, Segment, SourceError


class SegmentScanner(Protocol):
    """What the sources need from the engine."""

    def scan_segment(self, segment: Segment) -> list[Finding]: ...


def scan_path(path: str, engine: SegmentScanner,
              limits: Limits | None = None) -> Iterator[FileResult]:
    """Scan a file or a folder tree; yield a result per file and per archive member.

    Paths in results start with ``path`` as given, so ``scan_path("data")``
    reports ``data/backup.zip!old/customers.csv``.
    """
    for item in walk(path):
        if isinstance(item, SourceError):
            yield FileResult(item.path, errors=[item])
        else:
            yield from scan_file(item[0], engine, limits or Limits(), size=item[1])


def walk(root: str) -> Iterator[tuple[str, int] | SourceError]:
    """Regular files under ``root`` as (path, size), and SourceErrors for the rest.

    Folder symlinks are followed once; one that leads back to a folder
    already being scanned is reported as a loop, not followed.
    """
    try:
        info = os.stat(root)
    except OSError as exc:
        yield SourceError(root, describe_os_error(exc))
        return
    if not os.path.isdir(root):
        yield (root, info.st_size) if _is_regular(info.st_mode) else SourceError(
            root, "not a regular file, skipped")
        return
    seen = {(info.st_dev, info.st_ino)}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
        except OSError as exc:
            yield SourceError(folder, describe_os_error(exc))
            continue
        files: list[tuple[str, int] | SourceError] = []
        for entry in entries:
            try:
                target = entry.stat(follow_symlinks=True)
            except OSError as exc:
                files.append(SourceError(entry.path, describe_os_error(exc)))
                continue
            if entry.is_dir(follow_symlinks=True):
                key = (target.st_dev, target.st_ino)
                if key in seen:
                    files.append(SourceError(entry.path, "symlink loop (folder already being "
                                             "scanned), not followed"))
                else:
                    seen.add(key)
                    stack.append(entry.path)
            elif _is_regular(target.st_mode):
                files.append((entry.path, target.st_size))
            else:
                files.append(SourceError(entry.path, "not a regular file (device, FIFO or "
                                         "socket), skipped"))
        yield from reversed(files)


def scan_file(path: str, engine: SegmentScanner, limits: Limits | None = None,
              size: int | None = None) -> Iterator[FileResult]:
    """Scan one file on disk (which may be an archive)."""
    limits = limits or Limits()
    try:
        size = os.path.getsize(path) if size is None else size
        if size > limits.max_file_size:
            yield FileResult(path, size, errors=[SourceError(path, (
                f"file too large ({human_bytes(size)} > limit "
                f"{human_bytes(limits.max_file_size)}), skipped"))])
            return
        if size == 0:
            yield FileResult(path, 0, errors=[SourceError(path, "empty file, nothing to scan")])
            return
        handle = open(path, "rb")  # noqa: SIM115 - closed below; results stream out meanwhile
    except OSError as exc:
        yield FileResult(path, size or 0, errors=[SourceError(path, describe_os_error(exc))])
        return
    with handle:
        yield from scan_stream(handle, path, os.path.basename(path), size, engine,
                               Budget(limits, source_size=size), depth=0)


def scan_stream(stream: BinaryIO, path: str, name: str, size: int | None,
                engine: SegmentScanner, budget: Budget, depth: int) -> Iterator[FileResult]:
    """Scan a stream of bytes named ``name``; recurse into archives."""
    result = FileResult(path, size or 0)
    kind = "data"
    try:
        peekable = PeekableStream(stream)
        head = peekable.peek_head(HEAD_BYTES)
        if not head:
            result.errors.append(SourceError(path, "empty file, nothing to scan"))
            yield result
            return
        kind = detect_kind(head, name)
        fileobj: BinaryIO = peekable  # type: ignore[assignment]
        if kind in RANDOM_ACCESS_KINDS:
            fileobj = _seekable(stream, peekable, budget.limits)
            if kind == "zip":
                kind = zip_kind(fileobj, name)
        if kind in ARCHIVE_KINDS:
            yield from _scan_archive(kind, fileobj, result, name, engine, budget, depth)
            return
        for item in extract(kind, fileobj, path, head=head, size=size):
            if isinstance(item, SourceError):
                result.errors.append(item)
            else:
                result.findings.extend(engine.scan_segment(item))
    except Exception as exc:  # noqa: BLE001 - one broken file must not stop the scan
        result.errors.append(SourceError(path, describe_error(kind, exc)))
    yield result


def _scan_archive(kind: str, fileobj: BinaryIO, result: FileResult, name: str,
                  engine: SegmentScanner, budget: Budget, depth: int) -> Iterator[FileResult]:
    path = result.path
    if depth >= budget.limits.max_depth:
        result.errors.append(SourceError(path, f"archive nested more than "
                                         f"{budget.limits.max_depth} levels deep, skipped"))
        yield result
        return
    try:
        for member in iter_members(kind, fileobj, name, budget):
            if isinstance(member, SourceError):
                result.errors.append(SourceError(f"{path}!{member.path}", member.reason))
                continue
            yield from _scan_member(member, path, engine, budget, depth)
    except Exception as exc:  # noqa: BLE001 - a broken archive must not stop the scan
        result.errors.append(SourceError(path, describe_error(kind, exc)))
    yield result


def _scan_member(member: Member, path: str, engine: SegmentScanner, budget: Budget,
                 depth: int) -> Iterator[FileResult]:
    member_path = f"{path}!{member.name}"
    name = member.name.rsplit("/", 1)[-1]
    yield from scan_stream(member.stream, member_path, name, member.size, engine, budget,
                           depth + 1)


def _seekable(raw: BinaryIO, peekable: PeekableStream, limits: Limits) -> BinaryIO:
    """Formats that need random access get a seekable file, in memory if need be."""
    try:
        if raw.seekable():
            raw.seek(0)
            return raw
    except (OSError, AttributeError, ValueError):
        pass
    data = peekable.read(limits.max_in_memory + 1)
    if len(data) > limits.max_in_memory:
        raise LimitExceeded(f"member needs random access and is over "
                            f"{human_bytes(limits.max_in_memory)}")
    return io.BytesIO(data)


def _is_regular(mode: int) -> bool:
    import stat

    return stat.S_ISREG(mode)


def describe_os_error(exc: OSError) -> str:
    """An OSError in words a user can act on."""
    reasons = {
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOENT: "no such file or directory (or a broken symlink)",
        errno.ELOOP: "symlink loop, not followed",
        errno.EISDIR: "is a folder",
    }
    return reasons.get(exc.errno or 0, f"could not read: {exc.strerror or exc}")


def describe_error(kind: str, exc: Exception) -> str:
    """What went wrong with a file of ``kind``, for the error list."""
    if isinstance(exc, LimitExceeded):
        return str(exc)
    if isinstance(exc, (EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile)):
        return f"truncated or corrupt compressed data: {exc}"
    if isinstance(exc, OSError) and not isinstance(exc, (zipfile.BadZipFile, EOFError)):
        if exc.errno is not None:
            return describe_os_error(exc)
    label = {"odf": "OpenDocument", "gzip": "gzip", "tar": "tar", "zip": "zip",
             "data": "file"}.get(kind, kind.upper())
    if isinstance(exc, (zipfile.BadZipFile, tarfile.TarError, KeyError)):
        return f"truncated or invalid {label} file: {exc}"
    return f"could not read {label} file: {type(exc).__name__}: {exc}"
