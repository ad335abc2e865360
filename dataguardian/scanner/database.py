"""Database sources by URL: sample rows of every table, read-only.

PostgreSQL (psycopg 3) and SQLite are supported. Tables and their text-like
columns are listed from the catalogue; N rows are sampled per table
(``TABLESAMPLE SYSTEM`` on a large PostgreSQL table, ``LIMIT`` otherwise)
inside a read-only transaction with a statement timeout. Every value becomes
a Segment located by table, column and row key, the key masked and
hashed (it is often personal data itself). The URL's credentials are never
printed: use :func:`redact_url` wherever a URL is shown and
:func:`clean_message` on a driver's message.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from dataguardian.scanner.masking import keyed_hash, mask_key
from dataguardian.scanner.sources import SegmentScanner
from dataguardian.scanner.types import FileResult, Segment, SourceError

SAMPLE_ROWS = 100
TIMEOUT_SECONDS = 30.0
TEXT_TYPES = ("char", "clob", "text", "json", "xml", "citext")


class DatabaseSourceError(Exception):
    """A part of the database cannot be scanned (a table, the catalogue)."""


class DatabaseConnectError(DatabaseSourceError):
    """The database cannot be used at all: a bad URL, unreachable, refused.

    ``str(exc)`` is for anyone's eyes (no credentials, no host or port
    state); ``detail`` is the driver's reason with the URL's secrets blanked,
    for an operator's terminal or the log.
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


# Query parameters whose values may be shown; every other one is blanked.
SHOWN_PARAMETERS = frozenset({"sslmode", "connect_timeout", "application_name", "target_session_attrs"})


def redact_url(url: str) -> str:
    """``postgresql://u:secret@h/db?sslpassword=x`` -> ``postgresql://***@h/db?sslpassword=***``.

    The user name goes with the password; query values other than
    SHOWN_PARAMETERS are blanked (libpq takes passwords there too).
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = "&".join(f"{key}={value if key.lower() in SHOWN_PARAMETERS else '***'}"
                     for key, value in parse_qsl(parts.query, keep_blank_values=True))
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def url_secrets(url: str) -> list[str]:
    """The parts of ``url`` that must never appear in a message (longest first)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    found = [parts.password or "", parts.username or ""]
    for raw in (parts.password or "", parts.username or ""):
        found.append(unquote(raw))
    found += [value for key, value in parse_qsl(parts.query, keep_blank_values=True)
              if key.lower() not in SHOWN_PARAMETERS]
    return sorted({secret for secret in found if len(secret) > 1}, key=len, reverse=True)


def clean_message(message: str, url: str) -> str:
    """The first line of a driver's message, with the URL's secrets blanked."""
    text = message.strip().splitlines()[0] if message.strip() else ""
    for secret in url_secrets(url):
        text = text.replace(secret, "***")
    return text


def scan_database(url: str, engine: SegmentScanner, *, rows: int = SAMPLE_ROWS,
                  timeout: float = TIMEOUT_SECONDS,
                  hash_key: bytes | None = None) -> Iterator[FileResult]:
    """One FileResult per table (path ``db:TABLE``) with the findings in its sample.

    Row keys are masked and hashed with ``hash_key`` (default: the engine's
    own key). Raises DatabaseConnectError when the database cannot be used
    at all; a failure later on becomes an error in the results.
    """
    key = hash_key if hash_key is not None else engine.hash_key  # type: ignore[attr-defined]
    try:
        for table, segments in iter_tables(url, key, rows=rows, timeout=timeout):
            result = FileResult(f"db:{table}")
            try:
                for segment in segments:
                    result.size += len(segment.text.encode("utf-8", "replace"))
                    result.findings.extend(engine.scan_segment(segment))
            except DatabaseSourceError as exc:
                result.errors.append(SourceError(result.path, clean_message(str(exc), url)))
            yield result
    except DatabaseConnectError:
        raise
    except DatabaseSourceError as exc:
        yield FileResult(f"db:{redact_url(url)}",
                         errors=[SourceError(redact_url(url), clean_message(str(exc), url))])


def iter_tables(url: str, hash_key: bytes, *, rows: int = SAMPLE_ROWS,
                timeout: float = TIMEOUT_SECONDS) -> Iterator[tuple[str, Iterator[Segment]]]:
    """(table name, its sampled values as Segments) for every readable table."""
    scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    if scheme.startswith("postgres"):
        from dataguardian.scanner import database_postgres

        yield from database_postgres.iter_tables(url, hash_key, rows=rows, timeout=timeout)
    elif scheme == "sqlite":
        yield from _sqlite_tables(url, hash_key, rows, timeout)
    elif scheme.startswith("mysql"):
        raise DatabaseConnectError("MySQL is not supported yet; use PostgreSQL or SQLite")
    else:
        raise DatabaseConnectError(
            f"unsupported database URL {redact_url(url)!r}: expected postgresql://... "
            "or sqlite:///path/to/file.db")


def value_segments(table: str, columns: list[str], key_count: int,
                   records: list[tuple[object, ...]], hash_key: bytes) -> Iterator[Segment]:
    """Segments for sampled rows whose first ``key_count`` values form the row key.

    The key leaves only masked and as an HMAC under ``hash_key`` (the same
    as found values'); a table without a primary key numbers its rows
    (``#1``: ours, not the source's, so shown as it is).
    """
    for number, record in enumerate(records, start=1):
        row_key, row_key_hash = f"#{number}", None
        if key_count:
            raw = ",".join(str(k) for k in record[:key_count])
            row_key, row_key_hash = mask_key(raw), keyed_hash(hash_key, raw)
        for column, value in zip(columns, record[key_count:], strict=True):
            if value is None:
                continue
            text = value if isinstance(value, str) else str(value)
            if text.strip():
                yield Segment(text=text, path=f"db:{table}", base_line=None, header=column,
                              table=table, column_name=column, row_key=row_key,
                              row_key_hash=row_key_hash)


def _sqlite_tables(url: str, hash_key: bytes, rows: int,
                   timeout: float) -> Iterator[tuple[str, Iterator[Segment]]]:
    path = unquote(url.split("://", 1)[1])
    path = path[1:] if path.startswith("/") else path
    if not path or path == ":memory:":
        raise DatabaseConnectError("SQLite URL needs a file: sqlite:///relative.db or sqlite:////abs.db")
    try:
        connection = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=5)
        connection.execute("PRAGMA query_only = ON")
        names = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
    except sqlite3.Error as exc:
        raise DatabaseConnectError("cannot open the SQLite database", f"{path}: {exc}") from exc
    try:
        for name in names:
            yield name, _sqlite_sample(connection, name, hash_key, rows, timeout)
    finally:
        connection.close()


def _sqlite_sample(connection: sqlite3.Connection, table: str, hash_key: bytes, rows: int,
                   timeout: float) -> Iterator[Segment]:
    ident = '"' + table.replace('"', '""') + '"'
    try:
        info = connection.execute(f"PRAGMA table_info({ident})").fetchall()
        columns = [c[1] for c in info if not c[2] or any(t in c[2].lower() for t in TEXT_TYPES)]
        keys = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]]
        if not columns:
            return
        quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in keys + columns)
        deadline = time.monotonic() + timeout
        connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        records = connection.execute(f"SELECT {quoted} FROM {ident} LIMIT ?", (rows,)).fetchall()
    except sqlite3.Error as exc:
        message = "statement timeout" if "interrupt" in str(exc) else str(exc)
        raise DatabaseSourceError(f"cannot sample table {table}: {message}") from exc
    finally:
        connection.set_progress_handler(None, 0)
    yield from value_segments(table, columns, len(keys), records, hash_key)
