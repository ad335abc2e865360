"""The findings partitions' tables on PostgreSQL: names, DDL and catalog reads.

``scans_finding`` is partitioned by RANGE (scan_id) into one partition per
scan (``scans_finding_s<id>``) and archives of neighbouring finished scans
(``scans_finding_archive_<low>_<high>``, scans low to high - 1). When each
step runs is decided by ``services.partition_lifecycle`` and ``compaction``;
why it is built this way: docs/ARCHITECTURE.md, "Findings partitioned by
scan". Identifiers and constants are composed with ``psycopg.sql``. On other
databases ``enabled()`` is False and the callers do nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import DatabaseError, connections, transaction
from psycopg import sql

from dataguardian.scans.models import Finding

logger = logging.getLogger(__name__)

PARENT = "scans_finding"
OWN_PREFIX = f"{PARENT}_s"
ARCHIVE_PREFIX = f"{PARENT}_archive_"
# Foreign keys added NOT VALID take SHARE ROW EXCLUSIVE on the referenced
# table for an instant; never queue behind a long transaction for it.
FK_LOCK_TIMEOUT = "5s"
# Connections that build a partition's indexes side by side when a scan ends
# (each one is taken from the process's pool for the build).
INDEX_BUILD_CONNECTIONS = 2

Statement = sql.Composable | str


class FindingsChanged(Exception):
    """Findings were added or removed between an archive's copy and its swap."""


def enabled(using: str = "default") -> bool:
    """PostgreSQL with ``scans_finding`` partitioned (migration 0005 applied)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    if not getattr(connection, "dg_findings_partitioned", False):
        # Remembered once true: a database is not un-partitioned under a running process.
        connection.dg_findings_partitioned = execute(
            "SELECT EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass(%s) AND relkind = 'p')",
            [PARENT], using)[0][0]
    return connection.dg_findings_partitioned


def partition_name(scan_id: int) -> str:
    """A scan's own partition."""
    return f"{OWN_PREFIX}{int(scan_id)}"


def archive_name(low: int, high: int) -> str:
    """The archive partition of scan ids ``low`` (included) to ``high`` (excluded)."""
    return f"{ARCHIVE_PREFIX}{int(low)}_{int(high)}"


def execute(statement: Statement, params: Iterable | None = None, using: str = "default") -> list[tuple]:
    """Run one statement (a string or a composed ``psycopg.sql`` object); its rows, if any."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if isinstance(statement, sql.Composable):
            statement = statement.as_string(connection.connection)
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def _run(template: str, *identifiers: str, using: str, **literals: int | str) -> list[tuple]:
    """``template`` with ``{}`` filled by quoted identifiers and ``{name}`` by literal values."""
    query = sql.SQL(template).format(*map(sql.Identifier, identifiers),
                                     **{k: sql.Literal(v) for k, v in literals.items()})
    return execute(query, using=using)


def exists(table: str, using: str = "default") -> bool:
    return execute("SELECT to_regclass(%s) IS NOT NULL", [table], using)[0][0]


def drop_table(table: str, using: str = "default") -> None:
    _run("DROP TABLE IF EXISTS {}", table, using=using)


def _new_table(table: str, using: str) -> None:
    _run("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)", table, PARENT, using=using)


def _attach(table: str, low: int, high: int, using: str) -> None:
    _run("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES FROM ({low}) TO ({high})", PARENT, table,
         using=using, low=int(low), high=int(high))


# --- a scan's own partition -------------------------------------------------
def create_for_scan(scan_id: int, organization_id: int, using: str = "default") -> None:
    """Create and attach the empty, unindexed partition of a new scan.

    A table left under that name (a test database flushed with its sequences
    reset, a restored dump) belongs to no live scan and is replaced.
    """
    table = partition_name(scan_id)
    with transaction.atomic(using=using):
        drop_table(table, using)
        _new_table(table, using)
        _run("ALTER TABLE {} ADD CONSTRAINT {} CHECK (organization_id = {org})", table, f"{table}_org",
             using=using, org=int(organization_id))
        _attach(table, scan_id, int(scan_id) + 1, using)


def truncate_for_scans(scan_ids: Iterable[int], using: str = "default") -> None:
    """Empty the own partitions of these scans (those that have one) in one statement."""
    tables = [name for (name,) in execute(
        "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relispartition",
        [[partition_name(scan_id) for scan_id in scan_ids]], using)]
    if tables:
        execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, sorted(tables)))),
                using=using)


def finalize(scan_id: int, using: str = "default") -> bool:
    """Index a finished scan's partition; False when it has none (archived, or never made)."""
    if not exists(partition_name(scan_id), using):
        return False
    build_indexes(partition_name(scan_id), using)
    return True


def is_finalized(scan_id: int, using: str = "default") -> bool:
    table = partition_name(scan_id)
    have = constraints(table, using)
    rows = execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table], using)
    indexes = {row[0] for row in rows}
    return (f"{table}_pkey" in have and all(have.get(name) for name, _ in _foreign_keys(table))
            and all(name in indexes for name, _ in _indexes(table)))


def detach_and_drop(tables: Iterable[str], using: str = "default") -> int:
    """Detach (CONCURRENTLY: readers are never blocked) and drop these partitions; how many went.

    Must run outside a transaction. A table another process is detaching or
    has dropped meanwhile is skipped.
    """
    dropped = 0
    for table in tables:
        try:
            _run("ALTER TABLE {} DETACH PARTITION {} CONCURRENTLY", PARENT, table, using=using)
            drop_table(table, using)
        except DatabaseError as exc:
            logger.info("partition %s not dropped (%s); the maintenance task retries", table, exc)
            continue
        dropped += 1
    return dropped


# --- indexes and keys, for a scan's partition or an archive -----------------
def _index_suffix(table: str) -> str:
    """What a partition's index names end in: ``s<id>`` (a scan's own), ``a_<low>_<high>`` (an archive)."""
    if table.startswith(ARCHIVE_PREFIX):
        return "a_" + table[len(ARCHIVE_PREFIX):]
    return table[len(PARENT) + 1:]


def _indexes(table: str) -> list[tuple[str, sql.Composed]]:
    """(name, CREATE INDEX) for each of Finding's Meta.indexes, on ``table``."""
    statements = []
    for index in Finding._meta.indexes:
        if index.condition is not None or index.expressions or index.opclasses:
            raise ValueError(f"{index.name}: only plain column indexes are built per partition")
        columns = sql.SQL(", ").join(
            sql.SQL("{}{}").format(sql.Identifier(Finding._meta.get_field(field.lstrip("-")).column),
                                   sql.SQL(" DESC" if field.startswith("-") else ""))
            for field in index.fields)
        name = f"{index.name}_{_index_suffix(table)}"
        statements.append((name, sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} ({})").format(
            sql.Identifier(name), sql.Identifier(table), columns)))
    return statements


def _foreign_keys(table: str) -> list[tuple[str, sql.Composed]]:
    """(constraint name, ADD CONSTRAINT ... NOT VALID) for Finding's foreign keys.

    A scan's own partition skips the organisation's: its CHECK pins the
    scan's organisation, which the scan's own foreign key guarantees exists.
    """
    keys = []
    for field in Finding._meta.concrete_fields:
        if not field.is_relation or not field.db_constraint:
            continue
        if table.startswith(OWN_PREFIX) and field.name == "organization":
            continue
        name = f"{table}_{field.column}_fk"
        keys.append((name, sql.SQL(
            "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) "
            "DEFERRABLE INITIALLY DEFERRED NOT VALID").format(
            *map(sql.Identifier, (table, name, field.column, field.target_field.model._meta.db_table,
                                  field.target_field.column)))))
    return keys


def constraints(table: str, using: str = "default") -> dict[str, bool]:
    """Constraint name -> validated, for ``table``."""
    return dict(execute("SELECT conname, convalidated FROM pg_constraint WHERE conrelid = to_regclass(%s)",
                        [table], using))


def build_indexes(table: str, using: str = "default", foreign_keys: bool = True) -> None:
    """Meta.indexes, validated foreign keys (unless told not to) and the primary key; skips what exists."""
    have = constraints(table, using)
    _build_side_by_side([statement for _name, statement in _indexes(table)], using)
    for name, statement in _foreign_keys(table) if foreign_keys else []:
        if name not in have:
            # Its own short transaction: the lock on the referenced table must not outlive it.
            with transaction.atomic(using=using):
                _run("SET LOCAL lock_timeout = {timeout}", using=using, timeout=FK_LOCK_TIMEOUT)
                execute(statement, using=using)
        if not have.get(name):
            _run("ALTER TABLE {} VALIDATE CONSTRAINT {}", table, name, using=using)
    # Last: its presence marks the table as done (``_finalized_scan_ids``).
    if f"{table}_pkey" not in have:
        _run("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (id)", table, f"{table}_pkey", using=using)
    # No ANALYZE here: it cost as much as an index. Building the indexes sets
    # the row count the planner needs; autovacuum gathers the rest.


def _build_side_by_side(statements: list[Statement], using: str) -> None:
    """Run CREATE INDEX statements on INDEX_BUILD_CONNECTIONS connections at once.

    Builds of one table's indexes share its lock (SHARE), so they overlap; a
    scan's end waits for the slowest instead of the sum. Inside a transaction
    (tests, a caller's atomic block) other connections cannot see the table:
    one after another on this one.
    """
    if connections[using].in_atomic_block or INDEX_BUILD_CONNECTIONS < 2 or len(statements) < 2:
        for statement in statements:
            execute(statement, using=using)
        return

    def build(statement: Statement) -> None:
        try:
            execute(statement, using=using)
        finally:
            connections[using].close()  # this thread's own connection, back to the pool

    with ThreadPoolExecutor(max_workers=INDEX_BUILD_CONNECTIONS) as pool:
        list(pool.map(build, statements))


# --- archives ---------------------------------------------------------------
def create_archive(low: int, high: int, using: str = "default") -> str:
    """A new, empty, unattached table for the findings of scans ``low`` to ``high - 1``."""
    if not 0 <= low < high:
        raise ValueError(f"archive of scans {low} to {high}: need 0 <= low < high")
    table = archive_name(low, high)
    _new_table(table, using)
    return table


def _bound_archive(low: int, high: int, using: str) -> None:
    """A CHECK equal to the range bound: PostgreSQL then attaches without scanning the rows."""
    table = archive_name(low, high)
    _run("ALTER TABLE {} ADD CONSTRAINT {} CHECK (scan_id >= {low} AND scan_id < {high})", table,
         f"{table}_scans", using=using, low=int(low), high=int(high))


def attach_archive(low: int, high: int, using: str = "default") -> str:
    """Bound, index and attach the filled archive of scans ``low`` to ``high - 1`` (bulk loads).

    The caller created it (``create_archive``) and loaded those scans'
    findings into it. Checking the bound is one cheap pass over the rows
    (a range, not a list of scans), then the attach itself scans nothing.
    """
    table = archive_name(low, high)
    _bound_archive(low, high, using)
    build_indexes(table, using)
    _attach(table, low, high, using)
    return table


def build_archive(low: int, high: int, using: str = "default") -> dict[int, int]:
    """Build, beside the live partitions, the archive of scans ``low`` to ``high - 1``; findings per scan.

    Drops first what an earlier, interrupted build left. Copies the scans'
    findings from the parent, bounds and indexes the table (no foreign keys
    yet); blocks nobody. Raises ``DatabaseError`` with the table dropped.
    """
    _drop_unattached_archives(using)
    table = create_archive(low, high, using)
    try:
        _run("INSERT INTO {} SELECT * FROM {} WHERE scan_id >= {low} AND scan_id < {high}",
             table, PARENT, using=using, low=int(low), high=int(high))
        _bound_archive(low, high, using)
        build_indexes(table, using, foreign_keys=False)
    except DatabaseError:
        drop_table(table, using)
        raise
    return _findings_per_scan(table, low, high, using)


def swap_in_archive(low: int, high: int, scan_ids: list[int], copied: dict[int, int],
                    lock_timeout: str, using: str = "default") -> None:
    """Replace these scans' own partitions by their built archive, then give it its foreign keys.

    One short transaction takes the parent exclusively, waiting at most
    ``lock_timeout``. If the live findings differ from ``copied`` it raises
    ``FindingsChanged``; on that or a ``DatabaseError`` nothing changed and
    the archive is dropped.
    """
    table = archive_name(low, high)
    try:
        with transaction.atomic(using=using):
            _run("SET LOCAL lock_timeout = {timeout}", using=using, timeout=lock_timeout)
            _run("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE", PARENT, using=using)
            if _findings_per_scan(PARENT, low, high, using) != copied:
                raise FindingsChanged
            for own in map(partition_name, scan_ids):
                _run("ALTER TABLE {} DETACH PARTITION {}", PARENT, own, using=using)
                drop_table(own, using)
            _attach(table, low, high, using)
    except (FindingsChanged, DatabaseError):
        drop_table(table, using)
        raise
    build_indexes(table, using)


def _findings_per_scan(table: str, low: int, high: int, using: str) -> dict[int, int]:
    return dict(_run("SELECT scan_id, count(*) FROM {} WHERE scan_id >= {low} AND scan_id < {high} "
                     "GROUP BY scan_id", table, using=using, low=int(low), high=int(high)))


def _drop_unattached_archives(using: str) -> None:
    """Archives a compaction built but never attached (it was interrupted or gave up)."""
    rows = execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE %s "
                   "AND NOT relispartition", [_like(ARCHIVE_PREFIX)], using)
    for (table,) in rows:
        drop_table(table, using)


def complete_archives(using: str = "default") -> None:
    """Foreign keys an interrupted compaction did not get to."""
    for table in archives(using):
        have = constraints(table, using)
        if not all(have.get(name) for name, _ in _foreign_keys(table)):
            build_indexes(table, using)


# --- the catalog -------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """The attached partitions at one moment."""

    own: dict[int, str]  # scan id -> its own partition
    finalized: set[int]  # scans whose own partition is indexed (has its primary key)
    archives: list[tuple[int, int]]  # (low, high) of each archive


def layout(using: str = "default") -> Layout:
    return Layout(_own_partitions(using), _finalized_scan_ids(using), _archive_ranges(using))


def _like(prefix: str) -> str:
    return prefix.replace("_", r"\_") + "%"


def _attached(prefix: str, using: str) -> list[str]:
    rows = execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                   "WHERE i.inhparent = to_regclass(%s) AND c.relname LIKE %s ORDER BY c.relname",
                   [PARENT, _like(prefix)], using)
    return [row[0] for row in rows]


def _own_partitions(using: str = "default") -> dict[int, str]:
    """Scan id -> the scan's own attached partition."""
    return {int(table[len(OWN_PREFIX):]): table for table in _attached(OWN_PREFIX, using)}


def _finalized_scan_ids(using: str = "default") -> set[int]:
    """Scans whose own partition has its primary key, the last step of ``finalize``."""
    rows = execute("SELECT conname FROM pg_constraint WHERE contype = 'p' AND conname LIKE %s",
                   [_like(OWN_PREFIX)], using)
    return {int(name[len(OWN_PREFIX):-len("_pkey")]) for (name,) in rows}


def archives(using: str = "default") -> list[str]:
    """The attached archive partitions, by name."""
    return _attached(ARCHIVE_PREFIX, using)


def _archive_ranges(using: str = "default") -> list[tuple[int, int]]:
    """(low, high) of each attached archive."""
    return [tuple(map(int, table[len(ARCHIVE_PREFIX):].split("_"))) for table in archives(using)]
