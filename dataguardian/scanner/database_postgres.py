"""PostgreSQL sampling for ``scanner.database`` (psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dataguardian.scanner.database import (
    DatabaseConnectError,
    DatabaseSourceError,
    clean_message,
    value_segments,
)
from dataguardian.scanner.types import Segment

TABLES_SQL = """
SELECT c.oid, n.nspname, c.relname, c.reltuples, c.relpages
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
  AND has_table_privilege(c.oid, 'SELECT')
ORDER BY n.nspname, c.relname
"""
COLUMNS_SQL = """
SELECT a.attname, t.typname, t.typcategory,
       COALESCE(a.attnum = ANY(i.indkey), false) AS is_key
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""
TEXT_TYPENAMES = ("json", "jsonb", "xml", "citext")
SAMPLE_FACTOR = 20  # tables with more rows than rows * this are sampled with TABLESAMPLE


def iter_tables(url: str, hash_key: bytes, *, rows: int,
                timeout: float) -> Iterator[tuple[str, Iterator[Segment]]]:
    import psycopg

    try:
        connection = psycopg.connect(url, connect_timeout=10, application_name="dataguardian-scan")
    except (psycopg.Error, ValueError) as exc:
        # The driver's words tell open, closed and filtered ports apart and may
        # echo the URL: they go to `detail` (cleaned), never to the message.
        raise DatabaseConnectError("cannot connect to the database",
                                   clean_message(str(exc), url)) from None
    try:
        connection.read_only = True
        with connection.transaction():
            connection.execute("SELECT set_config('statement_timeout', %s, true)",
                               (str(int(timeout * 1000)),))
            tables = connection.execute(TABLES_SQL).fetchall()
            for oid, schema, name, estimate, pages in tables:
                label = name if schema == "public" else f"{schema}.{name}"
                yield label, _sample(connection, oid, schema, name, label, estimate, pages, rows,
                                     hash_key)
    except psycopg.Error as exc:
        raise DatabaseSourceError(f"database error: {clean_message(str(exc), url)}") from exc
    finally:
        connection.close()


def _sample(connection: Any, oid: int, schema: str, name: str, label: str, estimate: float,
            pages: int, rows: int, hash_key: bytes) -> Iterator[Segment]:
    import psycopg
    from psycopg import sql

    columns_info = connection.execute(COLUMNS_SQL, (oid,)).fetchall()
    keys = [c[0] for c in columns_info if c[3]]
    columns = [c[0] for c in columns_info if not c[3] and (c[2] == "S" or c[1] in TEXT_TYPENAMES)]
    if not columns:
        return
    select = sql.SQL("SELECT {fields} FROM {table}").format(
        fields=sql.SQL(", ").join(sql.Identifier(c) for c in keys + columns),
        table=sql.Identifier(schema, name))
    records: list[tuple[Any, ...]] = []
    try:
        with connection.transaction():  # a savepoint: a failing table does not end the scan
            if estimate > rows * SAMPLE_FACTOR:
                # SYSTEM samples whole pages: take about `rows` pages, then a random
                # `rows` of their rows, so the sample spreads over the whole table
                # instead of coming from the first page or two that were drawn.
                percent = min(100.0, max(0.0001, rows * 100.0 / max(pages, 1)))
                sampled = select + sql.SQL(" TABLESAMPLE SYSTEM ({}) ORDER BY random() LIMIT {}").format(
                    sql.Literal(percent), sql.Literal(rows))
                records = connection.execute(sampled).fetchall()
            if len(records) < rows:
                records = connection.execute(select + sql.SQL(" LIMIT {}").format(
                    sql.Literal(rows))).fetchall()
    except psycopg.Error as exc:
        raise DatabaseSourceError(f"cannot sample table {label}: {str(exc).strip()}") from exc
    yield from value_segments(label, columns, len(keys), records, hash_key)

