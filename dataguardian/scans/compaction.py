"""Compaction: folding finished scans' findings partitions into archives (PostgreSQL).

One partition per scan keeps writes fast and scan-scoped queries cheap, but
an organisation-wide query plans for, and locks, every partition; with
3 000 partitions it ran out of PostgreSQL's default lock table
(bench/partitions.py). So the maintenance task folds runs of neighbouring
scans that ended over ``COMPACT_AFTER`` ago into archive partitions, each a
range of scan ids (``create_archive``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone

from dataguardian.scans import partitions
from dataguardian.scans.partitions import (
    ARCHIVE_PREFIX,
    PARENT,
    archives,
    attach_archive_sql,
    bound_archive,
    constraints,
    create_archive,
    drop_orphans,
    enabled,
    execute,
    finalize,
    finalized_scan_ids,
    foreign_key_statements,
    own_partitions,
    partition_name,
    quote,
    unfinalized_scans,
)

logger = logging.getLogger(__name__)

# At most COMPACT_BATCH scans to an archive: its swap holds the locks of
# every partition it detaches, and 1 000 at once ran out of PostgreSQL's
# default lock table in bench/partitions.py (100 did not). COMPACT_ROUNDS
# archives per maintenance round. The swap waits at most SWAP_LOCK_TIMEOUT
# for the parent, then gives up until the next round.
COMPACT_AFTER = timedelta(hours=1)
COMPACT_BATCH = 100
COMPACT_ROUNDS = 5
SWAP_LOCK_TIMEOUT = "3s"


def _drop_unattached_archives(using: str) -> None:
    """Archives a compaction built but never attached (it was interrupted or gave up)."""
    rows = execute("SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE %s "
                   "AND NOT c.relispartition", [ARCHIVE_PREFIX.replace("_", r"\_") + "%"], using)
    for (table,) in rows:
        execute(f"DROP TABLE {quote(table)}", using=using)


def _eligible(scan_ids: list[int], older_than: timedelta, using: str) -> set[int]:
    """Of these scans with own partitions: finished before ``older_than`` ago and finalized."""
    from dataguardian.scans.models import UNFINISHED_STATUSES, Scan

    return set(Scan.objects.using(using)
               .filter(pk__in=set(scan_ids) & finalized_scan_ids(using),
                       finished_at__lt=timezone.now() - older_than)
               .exclude(status__in=UNFINISHED_STATUSES).values_list("pk", flat=True))


def compaction_candidates(older_than: timedelta, limit: int, using: str = "default") -> list[int]:
    """The first run of at least two eligible own partitions with no other partition between them.

    An archive covers a range of scan ids, so what it folds must be
    neighbours among all partitions: a running scan's own partition, or an
    archive, ends a run.
    """
    own = list(own_partitions(using))
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
    return dict(execute(f"SELECT scan_id, count(*) FROM {quote(table)} WHERE scan_id >= %s AND scan_id < %s "
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
        execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote(PARENT)} "
                f"WHERE scan_id >= %s AND scan_id < %s", [low, high], using)
        copied = _counts(table, low, high, using)
        bound_archive(table, low, high, using)
        partitions.build_indexes(table, using, foreign_keys=False)
        with transaction.atomic(using=using):
            execute(f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT}'", using=using)
            execute(f"LOCK TABLE {quote(PARENT)} IN ACCESS EXCLUSIVE MODE", using=using)
            if _counts(PARENT, low, high, using) != copied:
                raise _Changed
            for own in map(partition_name, scan_ids):
                execute(f"ALTER TABLE {quote(PARENT)} DETACH PARTITION {quote(own)}", using=using)
                execute(f"DROP TABLE {quote(own)}", using=using)
            execute(attach_archive_sql(table, low, high), using=using)
    except (_Changed, DatabaseError) as exc:
        logger.warning("compacting %s scans' findings gave up (%s); the next round retries",
                       len(scan_ids), "findings changed meanwhile" if isinstance(exc, _Changed) else exc)
        execute(f"DROP TABLE IF EXISTS {quote(table)}", using=using)
        return 0
    partitions.build_indexes(table, using)
    return len(scan_ids)


class _Changed(Exception):
    """A scan's findings changed between the copy and the swap."""


def _repair_archives(using: str) -> None:
    """Foreign keys an interrupted compaction did not get to."""
    for table in archives(using):
        have = constraints(table, using)
        if not all(have.get(name) for name, _ in foreign_key_statements(table)):
            partitions.build_indexes(table, using)


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
