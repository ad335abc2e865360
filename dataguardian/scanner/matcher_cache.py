"""The compiled hyperscan database, kept on disk between runs.

Compiling the detectors' patterns costs a few tenths of a second, paid by
every run of the command line before any text is scanned (and by every
worker where processes are spawned, not forked). ``Matcher`` stores the
serialised database (``hyperscan.dumpb``) in a per-user folder, and the next
run with the same patterns loads it (``hyperscan.loadb``) instead.

A file is named after :func:`database_key`, a hash of everything that
decides the database: expressions, flags, ids, mode, the hyperscan version,
the machine and its CPU features (hyperscan tunes a database for the CPU it
is compiled on). It is used only when it is a regular file of the current
user, starts with the same key and its body matches the SHA-256 stored
beside it: ``hyperscan.loadb`` alone accepts a damaged tail or another mode.
Anything else (no file, a corrupt or foreign one, an unreadable or
unwritable folder) means compiling as before, so the cache can make a run
faster, never different, and never stops one. Files are written to a
temporary name and renamed, so a reader never sees half a file.

``DG_SCANNER_CACHE_DIR`` names the folder (default: the user's cache folder
as platformdirs finds it, ``$XDG_CACHE_HOME/dataguardian`` or
``~/.cache/dataguardian`` on Linux); ``off`` turns the cache off. The
scanner reads it itself: it has no Django settings.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import platform
import stat
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import platformdirs

CACHE_DIR_ENV = "DG_SCANNER_CACHE_DIR"
APP_NAME = "dataguardian"
DISABLED = frozenset({"off", "0", "false", "no", "none"})
FORMAT = b"dataguardian-hyperscan-1"  # change when the file layout or the key's inputs change
MAX_FILE_BYTES = 64 * 1024 * 1024
DIGEST_BYTES = hashlib.sha256().digest_size
# Databases kept in the folder (this one and the most recently used others):
# each pattern change or hyperscan upgrade leaves a file of about 700 KB.
KEPT_FILES = 4

logger = logging.getLogger(__name__)


def cache_dir(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The folder for compiled databases, or None when the cache is off.

    ``DG_SCANNER_CACHE_DIR`` (from ``environ``) when set, else the platform's
    per-user cache folder from platformdirs (``$XDG_CACHE_HOME/dataguardian``
    or ``~/.cache/dataguardian`` on Linux, read from the process environment).
    """
    value = environ.get(CACHE_DIR_ENV, "").strip()
    if value.lower() in DISABLED:
        return None
    if value:
        return Path(value).expanduser()
    try:
        return platformdirs.user_cache_path(APP_NAME)
    except (RuntimeError, KeyError):  # no home directory to be found
        return None


def database_key(expressions: Sequence[bytes], flags: Sequence[int], ids: Sequence[int],
                 mode: int, version: str) -> str:
    """A hex digest that changes whenever the compiled database would."""
    facts = (FORMAT, version, mode, platform.machine(), cpu_features(),
             list(zip(ids, flags, expressions, strict=True)))
    return hashlib.sha256(repr(facts).encode()).hexdigest()


def cpu_features() -> str:
    """The CPU's feature flags where the system lists them (Linux), else ''."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(("flags", "Features")):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return ""


def load(directory: Path, key: str) -> bytes | None:
    """The serialised database stored under ``key``, or None if there is no sound one."""
    path = _path(directory, key)
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not _trusted(info):
                logger.debug("ignoring %s: not a regular file of this user", path)
                return None
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        logger.debug("cannot read %s: %s", path, exc)
        return None
    header = _header(key)
    body = data[len(header) + DIGEST_BYTES:]
    if (len(data) > MAX_FILE_BYTES or not data.startswith(header)
            or data[len(header):len(header) + DIGEST_BYTES] != hashlib.sha256(body).digest()):
        logger.debug("ignoring %s: not a complete database for this key", path)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # used now: ``prune`` keeps the most recently used
    return body


def store(directory: Path, key: str, database: bytes) -> None:
    """Write ``database`` under ``key`` atomically; a folder that cannot be written is skipped."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".hyperscan-", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(_header(key) + hashlib.sha256(database).digest() + database)
            os.replace(temporary, _path(directory, key))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as exc:
        logger.debug("compiled database not cached in %s: %s", directory, exc)
        return
    prune(directory, keep=_path(directory, key))


def prune(directory: Path, keep: Path, kept: int = KEPT_FILES) -> None:
    """Remove all but the ``kept`` most recently used databases (other pattern sets, versions)."""
    try:
        others = [p for p in directory.glob("hyperscan-*.db") if p != keep]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for path in others[kept - 1:]:
            path.unlink()
    except OSError as exc:  # another process pruning at the same time, a vanished file
        logger.debug("cache folder %s not pruned: %s", directory, exc)


def _path(directory: Path, key: str) -> Path:
    return directory / f"hyperscan-{key}.db"


def _header(key: str) -> bytes:
    return FORMAT + b"\n" + key.encode() + b"\n"


def _trusted(info: os.stat_result) -> bool:
    if not stat.S_ISREG(info.st_mode):
        return False
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()
