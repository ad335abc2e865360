"""Where a scan's data comes from: uploads, allowed folders, database URLs.

Everything here checks input a user gave us and answers with a
``ScanSourceError`` whose message can be shown as is. Uploads are judged by
their content (magic bytes, a zip's central directory, a gzip's trailer),
never by their name only. Database URLs are checked by ``dbtargets``, kept
encrypted and only ever shown redacted.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import tarfile
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from dataguardian.scanner.archives import (
    Budget,
    Limits,
    check_gzip_trailer,
    check_tar_headers,
    check_zip_directory,
    zip_member_problem,
)
from dataguardian.scanner.streams import LimitExceeded

MiB = 1024 * 1024
ARCHIVE_NAME_SUFFIXES = (".zip", ".tar", ".tgz", ".tar.gz", ".gz", ".bz2", ".tbz2", ".xz", ".txz")
UNSUPPORTED_MAGIC = {b"7z\xbc\xaf\x27\x1c": "7-Zip", b"Rar!\x1a\x07": "RAR"}


class ScanSourceError(Exception):
    """A source we cannot scan; ``message`` is meant for the user's eyes."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


# --- Uploads ----------------------------------------------------------------


def uploads_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads"


def archive_kind(head: bytes) -> str | None:
    """The archive type that ``head`` (a file's first 512 bytes) starts, if any."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


def archive_limits() -> Limits:
    """The scanner's archive limits as this installation sets them (upload check and workers)."""
    return Limits(
        max_total_bytes=settings.DG_MAX_UNCOMPRESSED_MB * MiB,
        max_ratio=float(settings.DG_MAX_COMPRESSION_RATIO),
        max_members=settings.DG_MAX_ARCHIVE_MEMBERS,
    )


def store_upload(files: list[UploadedFile]) -> Path:
    """Check uploaded files by content and store them in a new folder.

    Returns ``MEDIA_ROOT/uploads/<uuid>/``. Raises ``ScanSourceError`` when
    nothing was sent, every file is empty, the total is over
    ``DG_MAX_UPLOAD_MB``, a file named like an archive is not one (or is a
    type we cannot read), or the archives' directories promise a bomb: more
    than ``DG_MAX_ARCHIVE_MEMBERS`` members or ``DG_MAX_UNCOMPRESSED_MB`` in
    all, or a ratio past ``DG_MAX_COMPRESSION_RATIO`` (scanner.archives'
    rules). An empty file among others is stored as it is: the scan lists it
    among the files not scanned. On error nothing is left on disk.
    """
    if not files:
        raise ScanSourceError("No file was uploaded.")
    if not any(f.size for f in files):
        raise ScanSourceError("Every uploaded file is empty: there is nothing to scan.")
    limit = settings.DG_MAX_UPLOAD_MB * MiB
    total = sum(f.size or 0 for f in files)
    if total > limit:
        raise ScanSourceError(
            f"The upload is {total / MiB:.1f} MB; the limit is {settings.DG_MAX_UPLOAD_MB} MB."
        )
    target = uploads_root() / uuid.uuid4().hex
    try:
        target.mkdir(parents=True)
    except OSError as exc:  # a full or read-only disk
        raise ScanSourceError("The upload could not be stored on the server; please try again.") from exc
    budget = Budget(archive_limits())
    try:
        names: set[str] = set()
        for upload in files:
            name = _unique(safe_filename(upload.name or "upload"), names)
            path = target / name
            with path.open("xb") as out:
                for block in upload.chunks():
                    out.write(block)
            if upload.size:
                check_file(path, name, budget)
    except ScanSourceError:
        shutil.rmtree(target, ignore_errors=True)
        raise
    except OSError as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise ScanSourceError("The upload could not be stored on the server; please try again.") from exc
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target


def check_file(path: Path, name: str, budget: Budget | None = None) -> None:
    """Judge one stored upload by its bytes; raise ScanSourceError if it is bad.

    ``budget`` carries the member count and unpacked size of the archives
    already checked in the same upload.
    """
    budget = budget or Budget(archive_limits())
    with path.open("rb") as fh:
        head = fh.read(512)
    if not head:
        raise ScanSourceError(f"{name} is empty.")
    for magic, label in UNSUPPORTED_MAGIC.items():
        if head.startswith(magic):
            raise ScanSourceError(f"{name} is a {label} archive; upload a zip or tar(.gz) archive.")
    kind = archive_kind(head)
    if kind is None and name.lower().endswith(ARCHIVE_NAME_SUFFIXES):
        raise ScanSourceError(f"{name} is not an archive (its content is not zip, tar or gzip).")
    try:
        if kind == "zip":
            _check_zip(path, name, budget)
        elif kind == "gzip":
            _check_gzip(path, name, budget)
        elif kind == "tar":
            with path.open("rb") as fh:
                check_tar_headers(fh, budget)
    except tarfile.TarError:
        raise ScanSourceError(f"{name} is not a readable tar archive (damaged or truncated).") from None
    except LimitExceeded as exc:
        raise ScanSourceError(f"{name} was refused: {exc}.") from None


def _check_zip(path: Path, name: str, budget: Budget) -> None:
    """Refuse a zip whose central directory promises too much (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ScanSourceError(f"{name} is not a readable zip archive (damaged or truncated).") from exc
    check_zip_directory(infos, path.stat().st_size, budget)
    for info in infos:
        problem = zip_member_problem(info, budget.limits)
        if problem:
            raise LimitExceeded(problem)


def _check_gzip(path: Path, name: str, budget: Budget) -> None:
    """A gzip's trailer holds its unpacked size modulo 4 GiB: refuse absurd ratios.

    Sizes past 4 GiB wrap around and slip through; the scanner's own limits
    stop those while reading.
    """
    size = path.stat().st_size
    if size < 18:
        raise ScanSourceError(f"{name} is not a readable gzip file (truncated).")
    with path.open("rb") as fh:
        fh.seek(-4, os.SEEK_END)
        inflated = int.from_bytes(fh.read(4), "little")
    check_gzip_trailer(inflated, size, budget)


_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._ ()+-]+")


def safe_filename(name: str) -> str:
    """The last path component of ``name`` with only harmless characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_CHARS.sub("_", base).strip(" .") or "upload"
    return base[-150:]


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        stem, dot, ext = name.partition(".")
        candidate = f"{stem}-{n}{dot}{ext}"
        n += 1
    taken.add(candidate)
    return candidate


def check_upload_dir(upload_dir: Path) -> Path:
    """``upload_dir`` resolved, if it is a folder that ``store_upload`` made."""
    real = Path(os.path.realpath(upload_dir))
    root = os.path.realpath(uploads_root())
    if real.parent != Path(root) or not real.is_dir():
        raise ScanSourceError("The uploaded files are no longer available; please upload them again.")
    return real


def describe_upload(upload_dir: Path) -> str:
    names = sorted(p.name for p in upload_dir.iterdir())
    text = "Upload: " + ", ".join(names)
    return text if len(text) <= 500 else text[:497] + "..."


# --- Server folders ---------------------------------------------------------


def allowed_roots() -> list[str]:
    return [os.path.realpath(root) for root in settings.DG_SCAN_FOLDERS]


def inside(path: str, roots: Iterable[str]) -> bool:
    """True if the resolved ``path`` is one of ``roots`` or below one."""
    return any(os.path.commonpath([path, root]) == root for root in roots)


def resolve_folder(folder: str) -> Path:
    """The real path of ``folder`` if it lies inside an allowed root (DG_SCAN_FOLDERS).

    Symlinks are resolved first, so a link pointing out of a root is refused,
    as is ``..``; relative paths are refused outright.
    """
    roots = allowed_roots()
    if not roots:
        raise ScanSourceError("No server folders are enabled for scanning on this installation.")
    if not folder or "\x00" in folder or not os.path.isabs(folder):
        raise ScanSourceError("Give the full path of a folder from the allowed list.")
    real = os.path.realpath(folder)
    if not inside(real, roots):
        raise ScanSourceError("This folder is not one an administrator allowed for scanning.")
    if not os.path.isdir(real):
        raise ScanSourceError("This folder does not exist on the server.")
    return Path(real)


# --- Database URLs ----------------------------------------------------------


def _fernet() -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"dataguardian scan credentials"
    ).derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(value: str) -> bytes:
    return _fernet().encrypt(value.encode())


def decrypt_secret(token: bytes) -> str:
    """The clear value; raises ScanSourceError if SECRET_KEY changed meanwhile."""
    try:
        return _fernet().decrypt(bytes(token)).decode()
    except InvalidToken:
        raise ScanSourceError("The stored database credentials can no longer be read.") from None
