"""The stale-scan sweep: no scan stays queued or running forever.

A scan is stale when it made no progress (``last_progress_at``, or
``created_at`` before it started) for ``DG_STALE_SCAN_MINUTES`` — its worker
died, or its task was lost. The sweep restarts what is missing (the start
task, the unwritten chunks, or the summary when every chunk is written), at
most ``DG_STALE_SCAN_MAX_REQUEUES`` times per scan; after that the scan fails
with the reason. A queued scan that has not started ``DG_UNSTARTED_SCAN_SECONDS``
after it was created gets its start task sent once more, at once and without
counting (the broker may have been down when the scan was created; a second
start of a scan is harmless).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from dataguardian.scans.models import UNFINISHED_STATUSES, Scan, ScanJob, ScanStatus
from dataguardian.scans.services import pipeline


def stale_scans(stale_after: timedelta) -> list[Scan]:
    cutoff = timezone.now() - stale_after
    return list(
        Scan.objects.filter(status__in=UNFINISHED_STATUSES)
        .annotate(seen=Coalesce(F("last_progress_at"), F("created_at")))
        .filter(Q(seen__lt=cutoff))
        .only("pk", "status", "last_progress_at", "created_at")
    )


def sweep(stale_after: timedelta | None = None, dispatch=None) -> dict[str, int]:
    """Requeue or fail every stale scan; returns counts of what was done.

    ``dispatch(scan_id, chunk_indexes)`` sends the work (the tasks module
    passes its chord builder); an empty list means "only the summary",
    ``None`` means "the start task".
    """
    if stale_after is None:
        stale_after = timedelta(minutes=settings.DG_STALE_SCAN_MINUTES)
    done = {"requeued": 0, "failed": 0}
    for scan in stale_scans(stale_after):
        # Claim the scan: a concurrent sweep that read the same row gets 0 rows here.
        now = timezone.now()
        claimed = Scan.objects.filter(
            pk=scan.pk, status=scan.status, last_progress_at=scan.last_progress_at
        ).update(last_progress_at=now)
        if not claimed:
            continue
        job = ScanJob.objects.filter(scan_id=scan.pk).first()
        if job is None or job.requeues >= settings.DG_STALE_SCAN_MAX_REQUEUES:
            minutes = int(stale_after.total_seconds() // 60)
            pipeline.fail(scan.pk, f"The scan made no progress for {minutes} minutes, even after "
                          "being restarted (a worker was lost or overloaded). Please start it again.")
            done["failed"] += 1
            continue
        ScanJob.objects.filter(pk=job.pk).update(requeues=F("requeues") + 1)
        if scan.status == ScanStatus.QUEUED:
            dispatch(scan.pk, None)
        else:
            dispatch(scan.pk, pipeline.pending_chunks(scan.pk))
        done["requeued"] += 1
    done["requeued"] += resend_unstarted(stale_after, dispatch)
    return done


def resend_unstarted(stale_after: timedelta, dispatch) -> int:
    """Send the start task once more for queued scans that never started; return how many.

    Only scans younger than ``stale_after`` (older ones are the stale path's)
    whose ``last_progress_at`` is still empty: setting it claims the scan, so
    each gets one resend.
    """
    now = timezone.now()
    unstarted = Scan.objects.filter(
        status=ScanStatus.QUEUED, last_progress_at__isnull=True,
        created_at__lt=now - timedelta(seconds=settings.DG_UNSTARTED_SCAN_SECONDS),
        created_at__gte=now - stale_after,
    ).values_list("pk", flat=True)
    sent = 0
    for scan_id in list(unstarted):
        claimed = Scan.objects.filter(pk=scan_id, status=ScanStatus.QUEUED,
                                      last_progress_at__isnull=True).update(last_progress_at=now)
        if claimed:
            dispatch(scan_id, None)
            sent += 1
    return sent
