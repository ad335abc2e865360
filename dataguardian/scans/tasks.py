"""Celery tasks of the scan pipeline: thin wrappers around services.pipeline.

start_scan -> chord(group(scan_chunk x N) | summarize_scan); sweep_stale_scans
runs from beat. Every task takes ids, reloads and checks state, so each is
safe to run twice and gets ``acks_late`` (with the project's
``task_reject_on_worker_lost``): a task on a lost worker is delivered again.
"""

from __future__ import annotations

import logging

from celery import Task, chord, group, shared_task
from celery.exceptions import MaxRetriesExceededError
from celery.signals import worker_process_init
from django.conf import settings

from dataguardian.scans.services import partition_lifecycle, pipeline, sweep

logger = logging.getLogger(__name__)


@worker_process_init.connect
def warm_engine(**kwargs) -> None:
    """Compile the engine's matcher when a pool process starts, not in its first chunk."""
    try:
        pipeline.engine()
    except Exception:  # noqa: BLE001 - the chunk will report it; the process must start
        logger.exception("could not build the scanning engine")


def dispatch(scan_id: int, indexes: list[int] | None) -> None:
    """Send a scan's work: the start task (None), or chunks and then the summary."""
    if indexes is None:
        start_scan.delay(scan_id)
    elif indexes:
        chord(group(scan_chunk.si(scan_id, i) for i in indexes))(summarize_scan.si(scan_id))
    else:
        summarize_scan.delay(scan_id)


@shared_task(acks_late=True, ignore_result=True)
def start_scan(scan_id: int) -> None:
    indexes = pipeline.start(scan_id)
    if indexes is not None:
        dispatch(scan_id, indexes)  # [] (nothing to scan) goes straight to the summary


class ChunkTask(Task):
    """When a chunk's retries run out, the scan ends failed with the reason."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        scan_id, index = args[0], args[1]
        reason = f"{type(exc).__name__}: {exc}"[:300]
        pipeline.fail(scan_id, f"Part {index + 1} of the scan failed after {self.max_retries} "
                      f"retries: {reason}")


@shared_task(
    bind=True, base=ChunkTask, acks_late=True,
    autoretry_for=(Exception,), retry_backoff=2, retry_backoff_max=120, retry_jitter=True,
    max_retries=settings.DG_CHUNK_MAX_RETRIES,
)
def scan_chunk(self, scan_id: int, index: int) -> str:
    return pipeline.run_chunk(scan_id, index)


@shared_task(bind=True, acks_late=True, max_retries=30)
def summarize_scan(self, scan_id: int) -> str:
    outcome = pipeline.summarize(scan_id)
    if outcome == "pending":
        # A chunk redelivered after a lost worker can finish the chord early;
        # wait for the rest (the stale sweep takes over if this runs out).
        try:
            raise self.retry(countdown=min(60, 2 + self.request.retries * 2))
        except MaxRetriesExceededError:
            return "pending; left to the stale-scan sweep"
    return outcome


@shared_task(acks_late=True, ignore_result=True)
def cleanup_scan(scan_id: int) -> None:
    pipeline.cleanup(scan_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_stale_scans() -> dict[str, int]:
    return sweep.sweep(dispatch=dispatch)


@shared_task(acks_late=True, ignore_result=True)
def maintain_finding_partitions() -> dict[str, int]:
    """Finish what an interrupted scan end left: unindexed partitions, orphans (PostgreSQL)."""
    return partition_lifecycle.maintain()


@shared_task(acks_late=True, ignore_result=True)
def drop_orphan_partitions() -> int:
    """Detach and drop the findings partitions of deleted scans (PostgreSQL)."""
    return partition_lifecycle.drop_orphans()
