"""A scan's units of work: listing them, grouping them into chunks, scanning a chunk.

A unit is one file, one member of a large zip archive (so that one big
upload still spreads over several workers), or one database table. Units
are stored in ``ScanChunk.units`` as ``[relative path, member or null, size]``.
Files are listed without following symlinks out of the scan's root.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings

from dataguardian.scanner.archives import Budget, Limits, Member, iter_members
from dataguardian.scanner.sources import scan_file, scan_stream
from dataguardian.scanner.streams import LimitExceeded
from dataguardian.scanner.types import Finding, SourceError
from dataguardian.scans.sources import MiB, archive_kind, archive_limits, inside
from dataguardian.scans.text import cut

Unit = tuple[str, str | None, int]
ERROR_PATH_MAX, ERROR_REASON_MAX = 500, 300
ZIP_PEEK_ABOVE = 1024  # tinier files are never zips worth splitting
# Office files are zips too; they are scanned whole by their extractor.
OFFICE_SUFFIXES = (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".docm", ".xlsm", ".jar", ".epub")


@dataclass
class ChunkOutcome:
    findings: list[Finding] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    cancelled: bool = False


def list_file_units(root: str) -> Iterator[Unit]:
    """Files under ``root`` (sorted, deterministic).

    A plain zip that unpacks to more than a chunk is split into its members,
    so one big uploaded archive still spreads over every worker.
    """
    split_above = settings.DG_CHUNK_MB * MiB
    real_root = os.path.realpath(root)
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, root)
            if os.path.islink(full) and not inside(os.path.realpath(full), [real_root]):
                continue  # a link out of the allowed folder is never read
            try:
                size = os.stat(full).st_size
            except OSError:
                yield (rel, None, 0)  # scan_file reports why it cannot be read
                continue
            members = _zip_members(full) if size > ZIP_PEEK_ABOVE else None
            if members and sum(m[1] for m in members) > split_above:
                yield from ((rel, member, member_size) for member, member_size in members)
            else:
                yield (rel, None, size)


def _zip_members(path: str) -> list[tuple[str, int]] | None:
    """A plain zip's file members, or None for anything else (scanned whole)."""
    if path.lower().endswith(OFFICE_SUFFIXES):
        return None
    try:
        with open(path, "rb") as fh:
            if archive_kind(fh.read(512)) != "zip":
                return None
            with zipfile.ZipFile(fh) as archive:
                infos = [i for i in archive.infolist() if not i.is_dir()]
    except (OSError, zipfile.BadZipFile, ValueError):
        return None  # scanned whole; the scanner reports what is wrong with it
    names = {i.filename for i in infos}
    if "[Content_Types].xml" in names or "mimetype" in names:
        return None
    return [(i.filename, i.file_size) for i in infos] or None


def split(units: Iterator[Unit], max_bytes: int, max_units: int) -> list[list[Unit]]:
    """Consecutive groups of at most ``max_units`` units and about ``max_bytes``."""
    chunks: list[list[Unit]] = []
    current: list[Unit] = []
    size = 0
    for unit in units:
        if current and (size + unit[2] > max_bytes or len(current) >= max_units):
            chunks.append(current)
            current, size = [], 0
        current.append(unit)
        size += unit[2]
    if current:
        chunks.append(current)
    return chunks


def scan_file_units(root: str, units: list[Unit], engine, limits: Limits,
                    cancelled: Callable[[], bool]) -> ChunkOutcome:
    """Run the engine over ``units`` (files and zip members under ``root``).

    ``cancelled`` is asked between files; once it says yes the outcome is
    marked cancelled and the rest is skipped.
    """
    outcome = ChunkOutcome()
    real_root = os.path.realpath(root)
    members_by_file: dict[str, set[str]] = {}
    files: list[str] = []
    for rel, member, _size in units:
        if member is None:
            files.append(rel)
        else:
            members_by_file.setdefault(rel, set()).add(member)
    for rel in files:
        if cancelled():
            outcome.cancelled = True
            return outcome
        full = os.path.join(root, rel)
        if not inside(os.path.realpath(full), [real_root]):
            outcome.errors.append(file_error(rel, "symlink out of the scanned folder, skipped", root))
            continue
        for result in scan_file(full, engine, limits):
            _collect(outcome, result.findings, result.errors, root)
    for rel, members in members_by_file.items():
        if cancelled():
            outcome.cancelled = True
            return outcome
        _scan_zip_members(os.path.join(root, rel), members, engine, limits, outcome, root)
    return outcome


def _scan_zip_members(path: str, wanted: set[str], engine, limits: Limits,
                      outcome: ChunkOutcome, root: str) -> None:
    """Scan only ``wanted`` members of one zip, with the scanner's member guards."""
    try:
        with open(path, "rb") as fh:
            budget = Budget(limits, source_size=os.fstat(fh.fileno()).st_size)
            for item in iter_members("zip", fh, os.path.basename(path), budget):
                name = item.name if isinstance(item, Member) else item.path
                if name not in wanted:
                    continue
                if isinstance(item, SourceError):
                    outcome.errors.append(file_error(f"{path}!{name}", item.reason, root))
                    continue
                base = name.rsplit("/", 1)[-1]
                for result in scan_stream(item.stream, f"{path}!{name}", base, item.size, engine,
                                          budget, depth=1):
                    _collect(outcome, result.findings, result.errors, root)
    except LimitExceeded as exc:
        outcome.errors.append(file_error(path, f"archive refused: {exc}", root))
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        outcome.errors.append(file_error(path, f"could not read zip archive: {exc}", root))


def _collect(outcome: ChunkOutcome, findings: list[Finding], errors: list[SourceError], root: str) -> None:
    outcome.findings.extend(findings)
    outcome.errors.extend(file_error(error.path, error.reason, root) for error in errors)


def file_error(path: str, reason: str, root: str = "") -> dict[str, str]:
    """A per-file error as stored and shown: ``{"path", "reason"}``, both cut to
    fit a page, and with the server folder ``root`` taken out of both (a reason
    may quote an OS error that names the full path)."""
    if root:
        prefix = root_prefix(root)
        path = path.removeprefix(prefix)
        reason = reason.replace(prefix, "").replace(root.rstrip("/"), ".")
    return {"path": cut(path, ERROR_PATH_MAX), "reason": cut(reason, ERROR_REASON_MAX)}


def root_prefix(root: str) -> str:
    return root.rstrip("/") + "/"


def default_limits() -> Limits:
    """The scanner's archive limits as this installation sets them."""
    return archive_limits()
