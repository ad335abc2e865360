"""Compaction: folding finished scans' findings partitions into archives (PostgreSQL).

``compact()`` picks the first run of neighbouring scans that ended over
``COMPACT_AFTER`` ago and replaces their own partitions by one archive (a
range of scan ids), built beside them and swapped in by one short
transaction. The tables' DDL is ``partitions``'; why compaction exists:
docs/ARCHITECTURE.md, "Compaction".
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import DatabaseError
from django.utils import timezone

from dataguardian.scans import partitions
from dataguardian.scans.models import UNFINISHED_STATUSES, Scan

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


def compaction_candidates(older_than: timedelta, limit: int, using: str = "default") -> list[int]:
    """The first run of at least two eligible own partitions with no other partition between them.

    Eligible: finished before ``older_than`` ago and finalized. An archive
    covers a range of scan ids, so what it folds must be neighbours among
    all partitions: a running scan's own partition, or an archive, ends a run.
    """
    now = partitions.layout(using)
    eligible = set(Scan.objects.using(using)
                   .filter(pk__in=set(now.own) & now.finalized, finished_at__lt=timezone.now() - older_than)
                   .exclude(status__in=UNFINISHED_STATUSES).values_list("pk", flat=True))
    bounds = sorted([(scan_id, scan_id in eligible) for scan_id in now.own]
                    + [(low, False) for low, _high in now.archives])
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


def compact(older_than: timedelta = COMPACT_AFTER, batch: int = COMPACT_BATCH, using: str = "default") -> int:
    """Fold up to ``batch`` neighbouring finished scans' partitions into one archive; returns how many.

    Built beside the live partitions (copy, indexes) without blocking anyone;
    then one short transaction takes the parent exclusively (waiting at most
    ``SWAP_LOCK_TIMEOUT``), checks no finding was added or removed meanwhile,
    detaches and drops the scans' partitions and attaches the archive, which
    a CHECK equal to its range lets PostgreSQL do without scanning it.
    Foreign keys are added afterwards, as for any partition.
    """
    if not partitions.enabled(using):
        return 0
    scan_ids = compaction_candidates(older_than, batch, using)
    if not scan_ids:
        return 0
    low, high = scan_ids[0], scan_ids[-1] + 1
    try:
        copied = partitions.build_archive(low, high, using)
        partitions.swap_in_archive(low, high, scan_ids, copied, SWAP_LOCK_TIMEOUT, using)
    except (partitions.FindingsChanged, DatabaseError) as exc:
        changed = isinstance(exc, partitions.FindingsChanged)
        logger.warning("compacting %s scans' findings gave up (%s); the next round retries",
                       len(scan_ids), "findings changed meanwhile" if changed else exc)
        return 0
    return len(scan_ids)


def compact_rounds(using: str = "default") -> int:
    """Up to COMPACT_ROUNDS archives, while there is something to fold; how many scans were folded."""
    compacted = 0
    for _ in range(COMPACT_ROUNDS):
        done = compact(using=using)
        compacted += done
        if not done:
            break
    return compacted
