"""Findings on PostgreSQL: one partition per scan, indexed once the scan ends.

A scan writes its findings in bulk (COPY). Into one shared table every row
also pays for a B-tree insert per index and a trigger per foreign key, which
capped the writer well below its target (docs/PERFORMANCE.md, ingest). So on
PostgreSQL ``scans_finding`` is partitioned by RANGE (scan_id):

- ``scans_finding`` itself holds no rows; its CHECK constraints (cheap ones)
  are inherited by every partition. Rows written through it are routed.
- ``scans_finding_s<id>`` is one scan's partition (the range id to id + 1),
  created with the scan (``post_save``) with no index and no foreign key,
  and a CHECK pinning its organisation. While the scan runs, chunks COPY
  into it at bulk speed and pages read it with a sequential scan of that
  one scan's rows.
- ``finalize`` runs when the scan ends (``pipeline.cleanup``): the model's
  ``Meta.indexes`` (named ``<index>_s<id>``), each built by a sort instead of
  row by row, the foreign key added ``NOT VALID`` and validated with one
  join instead of a trigger per row, then the primary key. Idempotent, so
  the maintenance task can finish what an interrupted call left.
- ``scans_finding_archive_<low>_<high>`` holds the findings of scans ``low``
  to ``high - 1``: neighbouring finished scans folded together by
  ``compaction.compact``, the findings that existed before partitioning (migration
  0005), bulk loads. Scan ids only grow, so a new scan never falls into an
  archive's range, and a range (unlike a list of scans) costs the same to
  check whatever its size.
- Deleting a scan truncates its own partition instead of deleting row by
  row; ``drop_orphans`` detaches and drops partitions whose scan is gone.

Partitions are created with CREATE TABLE + ATTACH PARTITION, which takes
SHARE UPDATE EXCLUSIVE on the parent, so readers and writers of other scans
carry on; ``CREATE TABLE ... PARTITION OF`` would wait for every reader of
the parent (a long export, say) and queue all later queries behind it.

Other databases (SQLite, the embedded default) keep one plain table and
every function here does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from django.db import connections, transaction

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
    return f"{OWN_PREFIX}{int(scan_id)}"


def quote(name: str) -> str:
    return connections["default"].ops.quote_name(name)


def execute(sql: str, params: Iterable | None = None, using: str = "default") -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def exists(table: str, using: str) -> bool:
    return execute("SELECT to_regclass(%s) IS NOT NULL", [table], using)[0][0]


def new_table(table: str, using: str) -> None:
    execute(f"CREATE TABLE {quote(table)} (LIKE {quote(PARENT)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
            using=using)


def create_for_scan(scan_id: int, organization_id: int, using: str = "default") -> None:
    """Create and attach the empty, unindexed partition of a new scan.

    A table left under that name (a test database flushed with its sequences
    reset, a restored dump) belongs to no live scan and is replaced.
    """
    if not enabled(using):
        return
    table = partition_name(scan_id)
    with transaction.atomic(using=using):
        if exists(table, using):
            execute(f"DROP TABLE {quote(table)}", using=using)
        new_table(table, using)
        execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(table + '_org')} "
                f"CHECK (organization_id = {int(organization_id)})", using=using)
        execute(f"ALTER TABLE {quote(PARENT)} ATTACH PARTITION {quote(table)} "
                f"FOR VALUES FROM ({int(scan_id)}) TO ({int(scan_id) + 1})", using=using)


def _index_suffix(table: str) -> str:
    """What a partition's index names end in: ``s<id>`` (a scan's own), ``a_<low>_<high>`` (an archive)."""
    if table.startswith(ARCHIVE_PREFIX):
        return "a_" + table[len(ARCHIVE_PREFIX):]
    return table[len(PARENT) + 1:]


def _index_statements(table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX) for each of Finding's Meta.indexes, on ``table``."""
    from dataguardian.scans.models import Finding

    suffix = _index_suffix(table)
    statements = []
    for index in Finding._meta.indexes:
        if index.condition is not None or index.expressions or index.opclasses:
            raise ValueError(f"{index.name}: only plain column indexes are built per partition")
        columns = ", ".join(
            quote(Finding._meta.get_field(name.lstrip("-")).column) + (" DESC" if name[0] == "-" else "")
            for name in index.fields)
        name = f"{index.name}_{suffix}"
        statements.append((name, f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} ({columns})"))
    return statements


def foreign_key_statements(table: str) -> list[tuple[str, str]]:
    """(constraint name, ADD CONSTRAINT ... NOT VALID) for Finding's foreign keys.

    A scan's own partition skips the organisation's: its CHECK pins the
    scan's organisation, which the scan's own foreign key guarantees exists.
    """
    from dataguardian.scans.models import Finding

    keys = []
    for field in Finding._meta.concrete_fields:
        if not field.is_relation or not field.db_constraint:
            continue
        if table.startswith(OWN_PREFIX) and field.name == "organization":
            continue
        target = field.target_field
        name = f"{table}_{field.column}_fk"
        references = f"{quote(target.model._meta.db_table)} ({quote(target.column)})"
        keys.append((name, f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} "
                           f"FOREIGN KEY ({quote(field.column)}) REFERENCES {references} "
                           f"DEFERRABLE INITIALLY DEFERRED NOT VALID"))
    return keys


def constraints(table: str, using: str) -> dict[str, bool]:
    """Constraint name -> validated, for ``table``."""
    rows = execute("SELECT conname, convalidated FROM pg_constraint WHERE conrelid = to_regclass(%s)",
                   [table], using)
    return dict(rows)


def build_indexes(table: str, using: str = "default", foreign_keys: bool = True) -> None:
    """Meta.indexes, validated foreign keys (unless told not to) and the primary key; skips what exists."""
    have = constraints(table, using)
    _build_side_by_side([statement for _name, statement in _index_statements(table)], using)
    for name, statement in foreign_key_statements(table) if foreign_keys else []:
        if name not in have:
            # Its own short transaction: the lock on the referenced table must not outlive it.
            with transaction.atomic(using=using):
                execute(f"SET LOCAL lock_timeout = '{FK_LOCK_TIMEOUT}'", using=using)
                execute(statement, using=using)
        if not have.get(name):
            execute(f"ALTER TABLE {quote(table)} VALIDATE CONSTRAINT {quote(name)}", using=using)
    # Last: its presence marks the table as done (``unfinalized_scans``).
    if f"{table}_pkey" not in have:
        execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(table + '_pkey')} PRIMARY KEY (id)",
                using=using)
    # No ANALYZE here: it cost as much as an index. Building the indexes sets
    # the row count the planner needs; autovacuum gathers the rest.


def _build_side_by_side(statements: list[str], using: str) -> None:
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

    def build(statement: str) -> None:
        try:
            execute(statement, using=using)
        finally:
            connections[using].close()  # this thread's own connection, back to the pool

    with ThreadPoolExecutor(max_workers=INDEX_BUILD_CONNECTIONS) as pool:
        list(pool.map(build, statements))


def is_finalized(scan_id: int, using: str = "default") -> bool:
    table = partition_name(scan_id)
    have = constraints(table, using)
    rows = execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table], using)
    indexes = {row[0] for row in rows}
    return (f"{table}_pkey" in have and all(have.get(name) for name, _ in foreign_key_statements(table))
            and all(name in indexes for name, _ in _index_statements(table)))


def finalize(scan_id: int, using: str = "default") -> bool:
    """Index a finished scan's partition; False when it has none (other databases, archives)."""
    if not enabled(using) or not exists(partition_name(scan_id), using):
        return False
    build_indexes(partition_name(scan_id), using)
    return True


def truncate_for_scan(scan_id: int, using: str = "default") -> None:
    """Empty a scan's own partition in one statement (the scan is being deleted)."""
    if enabled(using) and exists(partition_name(scan_id), using):
        execute(f"TRUNCATE {quote(partition_name(scan_id))}", using=using)


def archive_name(low: int, high: int) -> str:
    """The archive partition of scan ids ``low`` (included) to ``high`` (excluded)."""
    return f"{ARCHIVE_PREFIX}{int(low)}_{int(high)}"


def create_archive(low: int, high: int, using: str = "default") -> str:
    """A new, empty, unattached table for the findings of scans ``low`` to ``high - 1``."""
    if not 0 <= low < high:
        raise ValueError(f"archive of scans {low} to {high}: need 0 <= low < high")
    table = archive_name(low, high)
    new_table(table, using)
    return table


def bound_archive(table: str, low: int, high: int, using: str) -> None:
    """A CHECK equal to the range bound: PostgreSQL then attaches without scanning the rows."""
    execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(table + '_scans')} "
            f"CHECK (scan_id >= {int(low)} AND scan_id < {int(high)})", using=using)


def attach_archive_sql(table: str, low: int, high: int) -> str:
    return (f"ALTER TABLE {quote(PARENT)} ATTACH PARTITION {quote(table)} "
            f"FOR VALUES FROM ({int(low)}) TO ({int(high)})")


def attach_archive(low: int, high: int, using: str = "default") -> str:
    """Index the filled archive of scans ``low`` to ``high - 1`` and attach it.

    The caller created it (``create_archive``) and loaded those scans'
    findings into it. Checking the bound is one cheap pass over the rows
    (a range, not a list of scans), then the attach itself scans nothing.
    """
    table = archive_name(low, high)
    bound_archive(table, low, high, using)
    build_indexes(table, using)
    execute(attach_archive_sql(table, low, high), using=using)
    return table


def own_partitions(using: str = "default") -> dict[int, str]:
    """Scan id -> the scan's own attached partition."""
    return {int(table[len(OWN_PREFIX):]): table for table in attached(OWN_PREFIX, using)}


def finalized_scan_ids(using: str = "default") -> set[int]:
    """Scans whose own partition has its primary key, the last step of ``finalize``."""
    rows = execute("SELECT conname FROM pg_constraint WHERE contype = 'p' AND conname LIKE %s",
                   [OWN_PREFIX.replace("_", r"\_") + "%"], using)
    return {int(name[len(OWN_PREFIX):-len("_pkey")]) for (name,) in rows}


def orphans(using: str = "default") -> list[str]:
    """Own partitions whose scan no longer exists."""
    from dataguardian.scans.models import Scan

    own = own_partitions(using)
    alive = set(Scan.objects.using(using).filter(pk__in=own).values_list("pk", flat=True))
    return sorted(table for scan_id, table in own.items() if scan_id not in alive)


def drop_orphans(using: str = "default") -> int:
    """Detach (CONCURRENTLY: readers are never blocked) and drop orphaned partitions.

    Must run outside a transaction; returns how many were dropped.
    """
    if not enabled(using):
        return 0
    dropped = 0
    for table in orphans(using):
        execute(f"ALTER TABLE {quote(PARENT)} DETACH PARTITION {quote(table)} CONCURRENTLY", using=using)
        execute(f"DROP TABLE {quote(table)}", using=using)
        dropped += 1
    return dropped


def unfinalized_scans(using: str = "default") -> list[int]:
    """Finished scans whose partition has not been (completely) indexed."""
    from dataguardian.scans.models import UNFINISHED_STATUSES, Scan

    pending = set(own_partitions(using)) - finalized_scan_ids(using)
    finished = Scan.objects.using(using).filter(pk__in=pending).exclude(status__in=UNFINISHED_STATUSES)
    return sorted(finished.values_list("pk", flat=True))


def attached(prefix: str, using: str) -> list[str]:
    rows = execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                   "WHERE i.inhparent = to_regclass(%s) AND c.relname LIKE %s ORDER BY c.relname",
                   [PARENT, prefix.replace("_", r"\_") + "%"], using)
    return [row[0] for row in rows]


def archives(using: str = "default") -> list[str]:
    """The attached archive partitions, by name."""
    return attached(ARCHIVE_PREFIX, using)
