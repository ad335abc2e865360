"""Zip, tar and gzip/bz2/xz archives, read as streams and guarded by limits.

Members are never written to disk. Each member is checked before it is
read (path traversal, links and devices, encryption, declared size and
compression ratio) and counted while it is read (total uncompressed bytes,
ratio of streamed compressions), so a zip bomb stops with a clear reason
and the rest of the archive goes on. Member paths are ``ARCHIVE!MEMBER``.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import posixpath
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dataguardian.scanner.streams import CountingStream, LimitExceeded, PeekableStream, human_bytes
from dataguardian.scanner.types import SourceError

GiB = 1024**3
MiB = 1024**2
RATIO_FLOOR = MiB  # ratios are only judged once this much has come out


@dataclass(frozen=True, slots=True)
class Limits:
    """How far the scanner goes into one source before it gives up on a part."""

    max_total_bytes: int = 20 * GiB
    max_ratio: float = 200.0
    max_depth: int = 5
    max_members: int = 100_000
    max_file_size: int = 4 * GiB
    max_in_memory: int = 256 * MiB


class Budget:
    """What one top-level source has used so far, across nested archives."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = 0
        self.members = 0

    def consume(self, count: int) -> None:
        self.total += count
        if self.total > self.limits.max_total_bytes:
            raise LimitExceeded(
                f"archive exceeds the total uncompressed size limit of "
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


class GuardedStream(CountingStream):
    """A member's bytes: charged to the budget, capped in size and in ratio."""

    def __init__(self, raw: BinaryIO, budget: Budget, name: str,
                 compressed: CountingStream | None = None) -> None:
        super().__init__(raw, budget.limits.max_file_size, f"member {name}")
        self._budget = budget
        self._compressed = compressed

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        self._budget.consume(len(data))
        if self._compressed is not None and self.count > RATIO_FLOOR:
            ratio = self.count / max(self._compressed.count, 1)
            if ratio > self._budget.limits.max_ratio:
                raise LimitExceeded(f"compression ratio over {self._budget.limits.max_ratio:.0f}:1"
                                    " (zip bomb?), stopped")
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
            ratio = info.file_size / max(info.compress_size, 1)
            if reason is None and info.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
                reason = f"compression ratio {ratio:.0f}:1 over the limit (zip bomb?), skipped"
            if reason is not None:
                yield SourceError(info.filename, reason)
                continue
            try:
                raw = archive.open(info)
            except NotImplementedError as exc:
                yield SourceError(info.filename, f"unsupported compression: {exc}")
                continue
            with raw:
                yield Member(info.filename, GuardedStream(raw, budget, info.filename), info.file_size)


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
