"""Database sources by URL: sample rows of every table, read-only.

PostgreSQL (psycopg 3) and SQLite are supported. Tables and their text-like
columns are listed from the catalogue; N rows are sampled per table
(``TABLESAMPLE SYSTEM`` on a large PostgreSQL table, ``LIMIT`` otherwise)
inside a read-only transaction with a statement timeout. Every value becomes
a Segment located by table, column and row key. The URL's password is never
printed: use :func:`redact_url` wherever a URL is shown.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from dataguardian.scanner.sources import SegmentScanner
from dataguardian.scanner.types import FileResult, Segment, SourceError

SAMPLE_ROWS = 100
TIMEOUT_SECONDS = 30.0
TEXT_TYPES = ("char", "clob", "text", "json", "xml", "citext")


class DatabaseSourceError(Exception):
    """The database cannot be scanned at all (bad URL, unreachable, denied)."""


def redact_url(url: str) -> str:
    """``postgresql://u:secret@h/db`` -> ``postgresql://u:***@h/db`` (query passwords too)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    secret_query = any(k.lower() in ("password", "passwd") for k, _ in parse_qsl(parts.query))
    if parts.password is None and not secret_query:
        return url
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.rsplit("@", 1)
        user = netloc[0].split(":", 1)[0]
        netloc = f"{user}:***@{netloc[1]}"
    query = urlencode([(k, "***" if k.lower() in ("password", "passwd") else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def scan_database(url: str, engine: SegmentScanner, *, rows: int = SAMPLE_ROWS,
                  timeout: float = TIMEOUT_SECONDS) -> Iterator[FileResult]:
    """One FileResult per table (path ``db:TABLE``) with the findings in its sample."""
    try:
        for table, segments in iter_tables(url, rows=rows, timeout=timeout):
            result = FileResult(f"db:{table}")
            try:
                for segment in segments:
                    result.size += len(segment.text.encode("utf-8", "replace"))
                    result.findings.extend(engine.scan_segment(segment))
            except DatabaseSourceError as exc:
                result.errors.append(SourceError(result.path, str(exc)))
            yield result
    except DatabaseSourceError as exc:
        yield FileResult(f"db:{redact_url(url)}", errors=[SourceError(redact_url(url), str(exc))])


def iter_tables(url: str, *, rows: int = SAMPLE_ROWS,
                timeout: float = TIMEOUT_SECONDS) -> Iterator[tuple[str, Iterator[Segment]]]:
    """(table name, its sampled values as Segments) for every readable table."""
    scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    if scheme.startswith("postgres"):
        from dataguardian.scanner import database_postgres

        yield from database_postgres.iter_tables(url, rows=rows, timeout=timeout)
    elif scheme == "sqlite":
        yield from _sqlite_tables(url, rows, timeout)
    elif scheme.startswith("mysql"):
        raise DatabaseSourceError("MySQL is not supported yet; use PostgreSQL or SQLite")
    else:
        raise DatabaseSourceError(
            f"unsupported database URL {redact_url(url)!r}: expected postgresql://... "
            "or sqlite:///path/to/file.db")


def value_segments(table: str, columns: list[str], key_count: int,
                   records: list[tuple[object, ...]]) -> Iterator[Segment]:
    """Segments for sampled rows whose first ``key_count`` values form the row key."""
    for number, record in enumerate(records, start=1):
        keys = record[:key_count]
        row_key = ",".join(str(k) for k in keys) if key_count else str(number)
        for column, value in zip(columns, record[key_count:], strict=True):
            if value is None:
                continue
            text = value if isinstance(value, str) else str(value)
            if text.strip():
                yield Segment(text=text, path=f"db:{table}", base_line=None, header=column,
                              table=table, column_name=column, row_key=row_key)


def _sqlite_tables(url: str, rows: int, timeout: float) -> Iterator[tuple[str, Iterator[Segment]]]:
    path = unquote(url.split("://", 1)[1])
    path = path[1:] if path.startswith("/") else path
    if not path or path == ":memory:":
        raise DatabaseSourceError("SQLite URL needs a file: sqlite:///relative.db or sqlite:////abs.db")
    try:
        connection = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=5)
        connection.execute("PRAGMA query_only = ON")
        names = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
    except sqlite3.Error as exc:
        raise DatabaseSourceError(f"cannot open SQLite database {path!r}: {exc}") from exc
    try:
        for name in names:
            yield name, _sqlite_sample(connection, name, rows, timeout)
    finally:
        connection.close()


def _sqlite_sample(connection: sqlite3.Connection, table: str, rows: int,
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
    yield from value_segments(table, columns, len(keys), records)
