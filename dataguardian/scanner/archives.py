"""Zip, tar and gzip/bz2/xz archives, read as streams and guarded by limits.

Members are never written to disk. A zip's central directory is judged
whole before any member is read (:func:`check_zip_directory`: member count,
declared total, each member's ratio and the whole archive's ratio); each
member is checked before it is read (path traversal, links and devices,
encryption, declared size) and counted while it is read (total uncompressed
bytes, the member's ratio, the whole source's ratio), so an archive whose
directory lies is stopped too. The rules live here once: the upload check
(``dataguardian.scans.sources``) calls the same functions. Member paths are
``ARCHIVE!MEMBER``.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import posixpath
import stat
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dataguardian.scanner.streams import CountingStream, LimitExceeded, PeekableStream, human_bytes
from dataguardian.scanner.types import SourceError

GiB = 1024**3
MiB = 1024**2
RATIO_FLOOR = MiB  # a member's ratio is only judged once this much has come out
# A whole archive's ratio is judged once this much has come out of it: below
# that, inflating is harmless whatever the ratio (a small log zipped tight).
ARCHIVE_RATIO_FLOOR = 16 * MiB


@dataclass(frozen=True, slots=True)
class Limits:
    """How far the scanner goes into one source before it gives up on a part."""

    max_total_bytes: int = 20 * GiB
    max_ratio: float = 200.0
    max_depth: int = 5
    max_members: int = 10_000
    max_file_size: int = 4 * GiB
    max_in_memory: int = 256 * MiB


def member_ratio_problem(inflated: int, packed: int, limits: Limits) -> str | None:
    """Why one member unpacking to ``inflated`` from ``packed`` bytes is a bomb, or None."""
    if inflated > RATIO_FLOOR and inflated / max(packed, 1) > limits.max_ratio:
        return f"compression ratio over {limits.max_ratio:.0f}:1 (zip bomb?)"
    return None


def archive_ratio_problem(inflated: int, packed: int, limits: Limits) -> str | None:
    """Why a whole archive of ``packed`` bytes unpacking to ``inflated`` is a bomb, or None."""
    if inflated > ARCHIVE_RATIO_FLOOR and inflated / max(packed, 1) > limits.max_ratio:
        return (f"compression ratio of the whole archive over {limits.max_ratio:.0f}:1 "
                "(zip bomb?)")
    return None


class Budget:
    """What one source (a top-level file, or one upload) has used so far.

    ``total`` and ``members`` count what was really read, across nested
    archives; ``declared`` and ``declared_members`` what archive directories
    promised (:func:`check_zip_directory`). ``source_size`` is the packed size
    of the top-level file, for the whole-archive ratio while inflating.
    """

    def __init__(self, limits: Limits, source_size: int | None = None) -> None:
        self.limits = limits
        self.source_size = source_size
        self.total = 0
        self.members = 0
        self.declared = 0
        self.declared_members = 0

    def consume(self, count: int) -> None:
        self.total += count
        if self.total > self.limits.max_total_bytes:
            raise LimitExceeded(
                f"archive exceeds the total uncompressed size limit of "
                f"{human_bytes(self.limits.max_total_bytes)} (zip bomb?)")
        if self.source_size is not None:
            problem = archive_ratio_problem(self.total, self.source_size, self.limits)
            if problem:
                raise LimitExceeded(f"{problem}, stopped")

    def declare(self, members: int, inflated: int) -> None:
        """Charge what a directory promises; raise LimitExceeded past the limits."""
        self.declared_members += members
        self.declared += inflated
        if self.declared_members > self.limits.max_members:
            raise LimitExceeded(f"more than {self.limits.max_members:,} members in the archive")
        if self.declared > self.limits.max_total_bytes:
            raise LimitExceeded(
                f"would unpack to {human_bytes(self.declared)}, over the limit of "
                f"{human_bytes(self.limits.max_total_bytes)} (zip bomb?)")

    @property
    def exhausted(self) -> bool:
        return self.total >= self.limits.max_total_bytes


@dataclass(slots=True)
class Member:
    """One readable member: its name inside the archive and a stream of its bytes."""

    name: str
    stream: BinaryIO
    size: int | None


def check_zip_directory(infos: Iterable[zipfile.ZipInfo], archive_size: int,
                        budget: Budget) -> None:
    """Judge a zip by its central directory before anything is inflated.

    Raises LimitExceeded when the members would pass the member count or the
    total size left in ``budget``, or when the whole archive is compressed
    past the ratio. One member past the ratio is :func:`zip_member_problem`'s
    (the scanner skips it, an upload is refused). A directory can lie; the
    streams check the same rules again while inflating.
    """
    files = [info for info in infos if not info.is_dir()]
    inflated = sum(info.file_size for info in files)
    budget.declare(len(files), inflated)
    problem = archive_ratio_problem(inflated, archive_size, budget.limits)
    if problem:
        raise LimitExceeded(problem)


def check_tar_headers(fileobj: BinaryIO, budget: Budget) -> None:
    """Judge an uncompressed tar by its headers (read by seeking past each member's data):
    its member count and total size go to ``budget``, which raises past the limits."""
    files = sizes = 0
    with tarfile.open(fileobj=fileobj, mode="r:") as archive:
        for info in archive:
            if info.isreg():
                files, sizes = files + 1, sizes + info.size
    budget.declare(files, sizes)


def zip_member_problem(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    """Why the directory entry of one zip member promises a bomb, or None."""
    return member_ratio_problem(info.file_size, info.compress_size, limits)


def check_gzip_trailer(inflated: int, packed: int, budget: Budget) -> None:
    """Judge a gzip by the size its trailer gives (modulo 4 GiB: a larger one
    wraps around and is stopped while inflating)."""
    budget.declare(1, inflated)
    problem = archive_ratio_problem(inflated, packed, budget.limits) or member_ratio_problem(
        inflated, packed, budget.limits)
    if problem:
        raise LimitExceeded(problem)


class GuardedStream(CountingStream):
    """A member's bytes: charged to the budget, capped in size and in ratio.

    The ratio is judged against the compressed bytes read so far
    (``compressed``, for gzip/bz2/xz streams) or the packed size the
    directory declared (``packed``, for zip members).
    """

    def __init__(self, raw: BinaryIO, budget: Budget, name: str,
                 compressed: CountingStream | None = None, packed: int | None = None) -> None:
        super().__init__(raw, budget.limits.max_file_size, f"member {name}")
        self._budget = budget
        self._compressed = compressed
        self._packed = packed

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        self._budget.consume(len(data))
        packed = self._compressed.count if self._compressed is not None else self._packed
        if packed is not None:
            problem = member_ratio_problem(self.count, packed, self._budget.limits)
            if problem:
                raise LimitExceeded(f"{problem}, stopped")
        return data


def iter_members(kind: str, fileobj: BinaryIO, name: str,
                 budget: Budget) -> Iterator[Member | SourceError]:
    """The members of an archive of ``kind``; unsafe ones come as SourceErrors.

    A SourceError's ``path`` here is the member's name inside the archive.
    Read each member's stream before asking for the next one.
    """
    if kind == "zip":
        yield from _zip_members(fileobj, budget)
    elif kind == "tar":
        yield from _tar_members(fileobj, budget)
    else:
        yield from _compressed_member(kind, fileobj, name, budget)


def unsafe_name(name: str) -> bool:
    """Absolute paths, drive letters and ``..`` components would escape a folder."""
    cleaned = name.replace("\\", "/")
    return (cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":")
            or ".." in cleaned.split("/"))


def _admit(name: str, size: int | None, budget: Budget) -> str | None:
    """Why a member may not be read, or None."""
    limits = budget.limits
    budget.members += 1
    if unsafe_name(name):
        return "unsafe member path (path traversal), skipped"
    if size is not None and size > limits.max_file_size:
        return (f"member too large ({human_bytes(size)} > limit "
                f"{human_bytes(limits.max_file_size)}), skipped")
    return None


def _zip_members(fileobj: BinaryIO, budget: Budget) -> Iterator[Member | SourceError]:
    limits = budget.limits
    with zipfile.ZipFile(fileobj) as archive:
        check_zip_directory(archive.infolist(), _size_of(fileobj), budget)
        for info in archive.infolist():
            if info.is_dir():
                continue
            if budget.members >= limits.max_members:
                yield SourceError(info.filename, f"more than {limits.max_members} members; "
                                  "the rest of the archive is skipped")
                return
            if budget.exhausted:
                yield SourceError(info.filename, "total uncompressed size limit reached; "
                                  "the rest of the archive is skipped")
                return
            reason = _admit(info.filename, info.file_size, budget)
            mode = info.external_attr >> 16
            if reason is None and (stat.S_ISLNK(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)):
                reason = "symbolic link or device member, skipped"
            if reason is None and info.flag_bits & 0x1:
                reason = "encrypted member (password protected), skipped"
            problem = zip_member_problem(info, limits)
            if reason is None and problem:
                reason = f"{problem}, skipped"
            if reason is not None:
                yield SourceError(info.filename, reason)
                continue
            try:
                raw = archive.open(info)
            except NotImplementedError as exc:
                yield SourceError(info.filename, f"unsupported compression: {exc}")
                continue
            with raw:
                yield Member(info.filename,
                             GuardedStream(raw, budget, info.filename, packed=info.compress_size),
                             info.file_size)


def _size_of(fileobj: BinaryIO) -> int:
    """The size of a seekable file object, its position kept."""
    try:
        return os.fstat(fileobj.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        position = fileobj.tell()
        size = fileobj.seek(0, os.SEEK_END)
        fileobj.seek(position)
        return size


def _tar_members(fileobj: BinaryIO, budget: Budget) -> Iterator[Member | SourceError]:
    limits = budget.limits
    with tarfile.open(fileobj=fileobj, mode="r|*") as archive:
        for info in archive:
            if info.isdir():
                continue
            if budget.members >= limits.max_members:
                yield SourceError(info.name, f"more than {limits.max_members} members; "
                                  "the rest of the archive is skipped")
                return
            reason = _admit(info.name, info.size if info.isreg() else None, budget)
            if reason is None and (info.issym() or info.islnk()):
                reason = "symbolic or hard link member, skipped"
            elif reason is None and not info.isreg():
                reason = "device, FIFO or special member, skipped"
            if reason is not None:
                yield SourceError(info.name, reason)
                continue
            raw = archive.extractfile(info)
            if raw is not None:
                yield Member(info.name, GuardedStream(raw, budget, info.name), info.size)


def _compressed_member(kind: str, fileobj: BinaryIO, name: str,
                       budget: Budget) -> Iterator[Member | SourceError]:
    """A single compressed stream; a tar inside it is listed directly."""
    compressed = CountingStream(fileobj)
    opener = {"gzip": gzip.GzipFile, "bz2": bz2.BZ2File, "xz": lzma.LZMAFile}[kind]
    inner_name = _strip_suffix(posixpath.basename(name.replace("\\", "/")), kind)
    raw = opener(fileobj=compressed) if kind == "gzip" else opener(compressed)
    guarded = PeekableStream(GuardedStream(raw, budget, inner_name, compressed))
    head = guarded.peek_head(512)
    if len(head) > 262 and head[257:262] == b"ustar":
        yield from _tar_members(guarded, budget)  # type: ignore[arg-type]
        return
    budget.members += 1
    yield Member(inner_name, guarded, None)  # type: ignore[arg-type]


def _strip_suffix(name: str, kind: str) -> str:
    lowered = name.lower()
    for suffix in {"gzip": (".tgz", ".gz"), "bz2": (".tbz2", ".bz2"), "xz": (".txz", ".xz")}[kind]:
        if lowered.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem + ".tar" if suffix.startswith(".t") else stem
    return name
