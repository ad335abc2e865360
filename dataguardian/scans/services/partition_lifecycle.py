"""The findings partitions' life, called where a scan is created, finished and deleted.

    on_scan_created(scan)        in the creating transaction: the scan's empty, unindexed partition
    on_scan_finished(scan_id)    once it ended: index it (left to ``maintain`` if that fails)
    on_scans_deleting(scan_ids)  before their rows go: empty their partitions in one TRUNCATE,
                                 and drop them once the delete has committed
    maintain()                   the beat task: what an interrupted end or delete left, then compaction

Deleting scans goes through ``services.scans.scans_delete``, which calls
``on_scans_deleting``. Each function does nothing on a database without
partitions (SQLite). Lifecycle drawn in docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import DatabaseError, transaction

from dataguardian.scans import compaction, partitions
from dataguardian.scans.models import UNFINISHED_STATUSES, Scan

logger = logging.getLogger(__name__)


def on_scan_created(scan: Scan, using: str = "default") -> None:
    """Give a new scan its own partition; call it in the transaction that created the row."""
    if partitions.enabled(using):
        partitions.create_for_scan(scan.pk, scan.organization_id, using)


def on_scan_finished(scan_id: int, using: str = "default") -> bool:
    """Index a finished scan's findings; False if there was nothing to do or it failed (retried later)."""
    if not partitions.enabled(using):
        return False
    try:
        return partitions.finalize(scan_id, using)
    except DatabaseError:  # maintain() finishes it on its next round
        logger.exception("scan %s: indexing its findings failed; left to the maintenance task", scan_id)
        return False


def on_scans_deleting(scan_ids: Iterable[int], using: str = "default") -> None:
    """Empty these scans' partitions now, so the cascade deletes nothing row by row; drop them after commit.

    Call it inside the deleting transaction, before the rows are deleted.
    A rollback undoes the TRUNCATE and drops nothing.
    """
    scan_ids = list(scan_ids)
    if not scan_ids or not partitions.enabled(using):
        return
    partitions.truncate_for_scans(scan_ids, using)
    transaction.on_commit(_enqueue_orphan_drop, using=using, robust=True)


def _enqueue_orphan_drop() -> None:
    from dataguardian.scans.tasks import drop_orphan_partitions

    # DETACH ... CONCURRENTLY waits for every reader of the findings: in a worker, not a request.
    drop_orphan_partitions.delay()


def orphans(using: str = "default") -> list[str]:
    """Own partitions whose scan no longer exists."""
    own = partitions.layout(using).own
    alive = set(Scan.objects.using(using).filter(pk__in=own).values_list("pk", flat=True))
    return sorted(table for scan_id, table in own.items() if scan_id not in alive)


def drop_orphans(using: str = "default") -> int:
    """Detach and drop the partitions of deleted scans (outside a transaction); how many went."""
    if not partitions.enabled(using):
        return 0
    return partitions.detach_and_drop(orphans(using), using)


def unfinalized_scans(using: str = "default") -> list[int]:
    """Finished scans whose partition has not been (completely) indexed."""
    now = partitions.layout(using)
    pending = set(now.own) - now.finalized
    finished = Scan.objects.using(using).filter(pk__in=pending).exclude(status__in=UNFINISHED_STATUSES)
    return sorted(finished.values_list("pk", flat=True))


def maintain(using: str = "default") -> dict[str, int]:
    """The beat task's round: index finished scans left unindexed, drop orphans, complete
    archives, fold old scans into archives."""
    if not partitions.enabled(using):
        return {"finalized": 0, "compacted": 0, "dropped": 0}
    finalized = sum(on_scan_finished(scan_id, using) for scan_id in unfinalized_scans(using))
    dropped = drop_orphans(using)
    partitions.complete_archives(using)
    compacted = compaction.compact_rounds(using)
    return {"finalized": finalized, "compacted": compacted, "dropped": dropped}
