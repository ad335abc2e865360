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
  ``compact``, the findings that existed before partitioning (migration
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
from datetime import timedelta

from django.db import DatabaseError, connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

PARENT = "scans_finding"
OWN_PREFIX = f"{PARENT}_s"
ARCHIVE_PREFIX = f"{PARENT}_archive_"
# Foreign keys added NOT VALID take SHARE ROW EXCLUSIVE on the referenced
# table for an instant; never queue behind a long transaction for it.
FK_LOCK_TIMEOUT = "5s"
# Compaction: scans finished this long ago are folded into archives, at most
# COMPACT_BATCH to an archive (its swap holds the locks of every partition it
# detaches: 1 000 at once ran out of PostgreSQL's default lock table in
# bench/partitions.py, 100 did not), COMPACT_ROUNDS archives per round.
# Its swap waits at most SWAP_LOCK_TIMEOUT for the parent, then gives up
# until the next round.
COMPACT_AFTER = timedelta(hours=1)
# Connections that build a partition's indexes side by side when a scan ends
# (each one is taken from the process's pool for the build).
INDEX_BUILD_CONNECTIONS = 2
COMPACT_BATCH = 100
COMPACT_ROUNDS = 5
SWAP_LOCK_TIMEOUT = "3s"


def enabled(using: str = "default") -> bool:
    """PostgreSQL with ``scans_finding`` partitioned (migration 0005 applied)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    if not getattr(connection, "dg_findings_partitioned", False):
        # Remembered once true: a database is not un-partitioned under a running process.
        connection.dg_findings_partitioned = _execute(
            "SELECT EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass(%s) AND relkind = 'p')",
            [PARENT], using)[0][0]
    return connection.dg_findings_partitioned


def partition_name(scan_id: int) -> str:
    return f"{OWN_PREFIX}{int(scan_id)}"


def _q(name: str) -> str:
    return connections["default"].ops.quote_name(name)


def _execute(sql: str, params: Iterable | None = None, using: str = "default") -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _exists(table: str, using: str) -> bool:
    return _execute("SELECT to_regclass(%s) IS NOT NULL", [table], using)[0][0]


def _new_table(table: str, using: str) -> None:
    _execute(f"CREATE TABLE {_q(table)} (LIKE {_q(PARENT)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
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
        if _exists(table, using):
            _execute(f"DROP TABLE {_q(table)}", using=using)
        _new_table(table, using)
        _execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_org')} "
                 f"CHECK (organization_id = {int(organization_id)})", using=using)
        _execute(f"ALTER TABLE {_q(PARENT)} ATTACH PARTITION {_q(table)} "
                 f"FOR VALUES FROM ({int(scan_id)}) TO ({int(scan_id) + 1})", using=using)


def _index_statements(table: str, suffix: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX) for each of Finding's Meta.indexes, on ``table``."""
    from dataguardian.scans.models import Finding

    statements = []
    for index in Finding._meta.indexes:
        if index.condition is not None or index.expressions or index.opclasses:
            raise ValueError(f"{index.name}: only plain column indexes are built per partition")
        columns = ", ".join(
            _q(Finding._meta.get_field(name.lstrip("-")).column) + (" DESC" if name.startswith("-") else "")
            for name in index.fields)
        name = f"{index.name}_{suffix}"
        statements.append((name, f"CREATE INDEX IF NOT EXISTS {_q(name)} ON {_q(table)} ({columns})"))
    return statements


def _foreign_keys(table: str) -> list[tuple[str, str]]:
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
        references = f"{_q(target.model._meta.db_table)} ({_q(target.column)})"
        keys.append((name, f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} "
                           f"FOREIGN KEY ({_q(field.column)}) REFERENCES {references} "
                           f"DEFERRABLE INITIALLY DEFERRED NOT VALID"))
    return keys


def _constraints(table: str, using: str) -> dict[str, bool]:
    """Constraint name -> validated, for ``table``."""
    rows = _execute("SELECT conname, convalidated FROM pg_constraint WHERE conrelid = to_regclass(%s)",
                    [table], using)
    return dict(rows)


def build_indexes(table: str, suffix: str, using: str = "default", foreign_keys: bool = True) -> None:
    """Meta.indexes, validated foreign keys (unless told not to) and the primary key; skips what exists."""
    have = _constraints(table, using)
    _build_side_by_side([statement for _name, statement in _index_statements(table, suffix)], using)
    for name, statement in _foreign_keys(table) if foreign_keys else []:
        if name not in have:
            # Its own short transaction: the lock on the referenced table must not outlive it.
            with transaction.atomic(using=using):
                _execute(f"SET LOCAL lock_timeout = '{FK_LOCK_TIMEOUT}'", using=using)
                _execute(statement, using=using)
        if not have.get(name):
            _execute(f"ALTER TABLE {_q(table)} VALIDATE CONSTRAINT {_q(name)}", using=using)
    # Last: its presence marks the table as done (``unfinalized_scans``).
    if f"{table}_pkey" not in have:
        _execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_pkey')} PRIMARY KEY (id)",
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
            _execute(statement, using=using)
        return

    def build(statement: str) -> None:
        try:
            _execute(statement, using=using)
        finally:
            connections[using].close()  # this thread's own connection, back to the pool

    with ThreadPoolExecutor(max_workers=INDEX_BUILD_CONNECTIONS) as pool:
        list(pool.map(build, statements))


def is_finalized(scan_id: int, using: str = "default") -> bool:
    table = partition_name(scan_id)
    have = _constraints(table, using)
    rows = _execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table], using)
    indexes = {row[0] for row in rows}
    return (f"{table}_pkey" in have and all(have.get(name) for name, _ in _foreign_keys(table))
            and all(name in indexes for name, _ in _index_statements(table, f"s{int(scan_id)}")))


def finalize(scan_id: int, using: str = "default") -> bool:
    """Index a finished scan's partition; False when it has none (other databases, archives)."""
    if not enabled(using) or not _exists(partition_name(scan_id), using):
        return False
    build_indexes(partition_name(scan_id), f"s{int(scan_id)}", using)
    return True


def truncate_for_scan(scan_id: int, using: str = "default") -> None:
    """Empty a scan's own partition in one statement (the scan is being deleted)."""
    if enabled(using) and _exists(partition_name(scan_id), using):
        _execute(f"TRUNCATE {_q(partition_name(scan_id))}", using=using)


def archive_name(low: int, high: int) -> str:
    """The archive partition of scan ids ``low`` (included) to ``high`` (excluded)."""
    return f"{ARCHIVE_PREFIX}{int(low)}_{int(high)}"


def create_archive(low: int, high: int, using: str = "default") -> str:
    """A new, empty, unattached table for the findings of scans ``low`` to ``high - 1``."""
    if not 0 <= low < high:
        raise ValueError(f"archive of scans {low} to {high}: need 0 <= low < high")
    table = archive_name(low, high)
    _new_table(table, using)
    return table


def _bound_archive(table: str, low: int, high: int, using: str) -> None:
    """A CHECK equal to the range bound: PostgreSQL then attaches without scanning the rows."""
    _execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_scans')} "
             f"CHECK (scan_id >= {int(low)} AND scan_id < {int(high)})", using=using)


def _attach_archive_sql(table: str, low: int, high: int) -> str:
    return (f"ALTER TABLE {_q(PARENT)} ATTACH PARTITION {_q(table)} "
            f"FOR VALUES FROM ({int(low)}) TO ({int(high)})")


def attach_archive(low: int, high: int, using: str = "default") -> str:
    """Index the filled archive of scans ``low`` to ``high - 1`` and attach it.

    The caller created it (``create_archive``) and loaded those scans'
    findings into it. Checking the bound is one cheap pass over the rows
    (a range, not a list of scans), then the attach itself scans nothing.
    """
    table = archive_name(low, high)
    _bound_archive(table, low, high, using)
    build_indexes(table, f"a_{int(low)}_{int(high)}", using)
    _execute(_attach_archive_sql(table, low, high), using=using)
    return table


def orphans(using: str = "default") -> list[str]:
    """Own partitions whose scan no longer exists."""
    rows = _execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(%s) AND c.relname LIKE %s "
        "AND NOT EXISTS (SELECT 1 FROM scans_scan s "
        "                WHERE s.id = substr(c.relname, %s)::bigint)",
        [PARENT, OWN_PREFIX.replace("_", r"\_") + "%", len(OWN_PREFIX) + 1], using)
    return [r[0] for r in rows]


def drop_orphans(using: str = "default") -> int:
    """Detach (CONCURRENTLY: readers are never blocked) and drop orphaned partitions.

    Must run outside a transaction; returns how many were dropped.
    """
    if not enabled(using):
        return 0
    dropped = 0
    for table in orphans(using):
        _execute(f"ALTER TABLE {_q(PARENT)} DETACH PARTITION {_q(table)} CONCURRENTLY", using=using)
        _execute(f"DROP TABLE {_q(table)}", using=using)
        dropped += 1
    return dropped


def unfinalized_scans(using: str = "default") -> list[int]:
    """Finished scans whose partition has not been (completely) indexed."""
    from dataguardian.scans.models import UNFINISHED_STATUSES, Scan

    rows = _execute(
        "SELECT substr(c.relname, %s)::bigint FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(%s) AND c.relname LIKE %s "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')",
        [len(OWN_PREFIX) + 1, PARENT, OWN_PREFIX.replace("_", r"\_") + "%"], using)
    ids = [r[0] for r in rows]
    finished = Scan.objects.using(using).filter(pk__in=ids).exclude(status__in=UNFINISHED_STATUSES)
    return sorted(finished.values_list("pk", flat=True))


def _attached(prefix: str, using: str) -> list[str]:
    rows = _execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "WHERE i.inhparent = to_regclass(%s) AND c.relname LIKE %s ORDER BY c.relname",
                    [PARENT, prefix.replace("_", r"\_") + "%"], using)
    return [row[0] for row in rows]


def archives(using: str = "default") -> list[str]:
    """The attached archive partitions, by name."""
    return _attached(ARCHIVE_PREFIX, using)


def _drop_unattached_archives(using: str) -> None:
    """Archives a compaction built but never attached (it was interrupted or gave up)."""
    rows = _execute("SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE %s "
                    "AND NOT c.relispartition", [ARCHIVE_PREFIX.replace("_", r"\_") + "%"], using)
    for (table,) in rows:
        _execute(f"DROP TABLE {_q(table)}", using=using)


def _eligible(scan_ids: list[int], older_than: timedelta, using: str) -> set[int]:
    """Of these scans with own partitions: finished before ``older_than`` ago and finalized."""
    from dataguardian.scans.models import UNFINISHED_STATUSES, Scan

    finalized = {int(name[len(OWN_PREFIX):-len("_pkey")]) for (name,) in _execute(
        "SELECT conname FROM pg_constraint WHERE contype = 'p' AND conname LIKE %s",
        [OWN_PREFIX.replace("_", r"\_") + "%"], using)}
    return set(Scan.objects.using(using)
               .filter(pk__in=set(scan_ids) & finalized, finished_at__lt=timezone.now() - older_than)
               .exclude(status__in=UNFINISHED_STATUSES).values_list("pk", flat=True))


def compaction_candidates(older_than: timedelta, limit: int, using: str = "default") -> list[int]:
    """The first run of at least two eligible own partitions with no other partition between them.

    An archive covers a range of scan ids, so what it folds must be
    neighbours among all partitions: a running scan's own partition, or an
    archive, ends a run.
    """
    own = [int(t[len(OWN_PREFIX):]) for t in _attached(OWN_PREFIX, using)]
    eligible = _eligible(own, older_than, using)
    bounds = sorted([(scan_id, scan_id in eligible) for scan_id in own]
                    + [(int(t[len(ARCHIVE_PREFIX):].split("_")[0]), False) for t in archives(using)])
    run: list[int] = []
    for scan_id, ok in bounds:
        if ok:
            run.append(scan_id)
            if len(run) == limit:
                return run
        elif len(run) >= 2:
            return run
        else:
            run = []
    return run if len(run) >= 2 else []


def _counts(table: str, low: int, high: int, using: str) -> dict[int, int]:
    return dict(_execute(f"SELECT scan_id, count(*) FROM {_q(table)} WHERE scan_id >= %s AND scan_id < %s "
                         f"GROUP BY scan_id", [low, high], using))


def compact(older_than: timedelta = COMPACT_AFTER, batch: int = COMPACT_BATCH, using: str = "default") -> int:
    """Fold up to ``batch`` neighbouring finished scans' partitions into one archive; returns how many.

    Built beside the live partitions (copy, indexes) without blocking anyone;
    then one short transaction takes the parent exclusively (waiting at most
    ``SWAP_LOCK_TIMEOUT``), checks no finding was added or removed meanwhile,
    detaches and drops the scans' partitions and attaches the archive, which
    a CHECK equal to its range lets PostgreSQL do without scanning it.
    Foreign keys are added afterwards, as for any partition.
    """
    if not enabled(using):
        return 0
    _drop_unattached_archives(using)
    scan_ids = compaction_candidates(older_than, batch, using)
    if not scan_ids:
        return 0
    low, high = scan_ids[0], scan_ids[-1] + 1
    table = create_archive(low, high, using)
    try:
        _execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(PARENT)} WHERE scan_id >= %s AND scan_id < %s",
                 [low, high], using)
        copied = _counts(table, low, high, using)
        _bound_archive(table, low, high, using)
        build_indexes(table, f"a_{low}_{high}", using, foreign_keys=False)
        with transaction.atomic(using=using):
            _execute(f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT}'", using=using)
            _execute(f"LOCK TABLE {_q(PARENT)} IN ACCESS EXCLUSIVE MODE", using=using)
            if _counts(PARENT, low, high, using) != copied:
                raise _Changed
            for own in map(partition_name, scan_ids):
                _execute(f"ALTER TABLE {_q(PARENT)} DETACH PARTITION {_q(own)}", using=using)
                _execute(f"DROP TABLE {_q(own)}", using=using)
            _execute(_attach_archive_sql(table, low, high), using=using)
    except (_Changed, DatabaseError) as exc:
        logger.warning("compacting %s scans' findings gave up (%s); the next round retries",
                       len(scan_ids), "findings changed meanwhile" if isinstance(exc, _Changed) else exc)
        _execute(f"DROP TABLE IF EXISTS {_q(table)}", using=using)
        return 0
    build_indexes(table, f"a_{low}_{high}", using)
    return len(scan_ids)


class _Changed(Exception):
    """A scan's findings changed between the copy and the swap."""


def _repair_archives(using: str) -> None:
    """Foreign keys an interrupted compaction did not get to."""
    for table in archives(using):
        have = _constraints(table, using)
        if not all(have.get(name) for name, _ in _foreign_keys(table)):
            build_indexes(table, "a_" + table[len(ARCHIVE_PREFIX):], using)


def maintain(using: str = "default") -> dict[str, int]:
    """The beat task's round: index finished scans left unindexed, fold old ones into archives,
    drop orphans."""
    if not enabled(using):
        return {"finalized": 0, "compacted": 0, "dropped": 0}
    finalized = 0
    for scan_id in unfinalized_scans(using):
        try:
            finalize(scan_id, using)
            finalized += 1
        except DatabaseError:
            logger.exception("scan %s: indexing its findings failed; next round retries", scan_id)
    dropped = drop_orphans(using)
    _repair_archives(using)
    compacted = 0
    for _ in range(COMPACT_ROUNDS):
        done = compact(using=using)
        compacted += done
        if not done:
            break
    return {"finalized": finalized, "compacted": compacted, "dropped": dropped}
