"""What the scan tasks do: start (split into chunks), run a chunk, summarise.

Every function takes a scan id, reloads, and checks state before acting, so
a task delivered twice (acks_late after a lost worker) does no harm:

- ``start``: only a ``queued`` scan is split; the rows lock decides.
- ``run_chunk``: the chunk's findings and its ``done_at`` mark commit in one
  transaction, claimed with ``UPDATE ... WHERE done_at IS NULL``.
- ``summarize``: completes only a ``running`` scan whose chunks are all done.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import shutil
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from dataguardian.scanner import Engine
from dataguardian.scans import dbtargets, ingest
from dataguardian.scans.models import (
    CHUNK_FILE_ERRORS_KEPT,
    SCAN_FILE_ERRORS_KEPT,
    UNFINISHED_STATUSES,
    Finding,
    Scan,
    ScanChunk,
    ScanCredential,
    ScanJob,
    ScanStatus,
    Severity,
    SourceType,
)
from dataguardian.scans.services import hooks, partition_lifecycle, units
from dataguardian.scans.sources import MiB, ScanSourceError, decrypt_secret, uploads_root

logger = logging.getLogger(__name__)
DATABASE_UNIT: units.Unit = ("database", None, 0)
# Risk score weights per severity rank and the count that brings the score to ~63.
RISK_WEIGHTS = {Severity.LOW: 1, Severity.MEDIUM: 3, Severity.HIGH: 10, Severity.CRITICAL: 25}
RISK_SCALE = 250.0
CANCEL_POLL_SECONDS = 2.0
CONNECT_FAILED = ("could not connect to the database: check the host, port, database name and "
                  "credentials, and that the server accepts connections from the scanning service")


@functools.lru_cache(maxsize=2)
def get_engine(hash_key: bytes, phone_regions: tuple[str, ...] = ("NL",)) -> Engine:
    """One engine per worker process: compiling the matcher is the costly part."""
    return Engine(hash_key=hash_key, phone_regions=phone_regions)


def engine() -> Engine:
    return get_engine(settings.FINDING_HASH_KEY.encode(), tuple(settings.DG_PHONE_REGIONS))


def masked_error(error: dict[str, str]) -> dict[str, str]:
    """A file error as stored: any value found in its path or reason masked."""
    mask = engine().mask_location
    return {"path": mask(error["path"]), "reason": mask(error["reason"])}


def start(scan_id: int) -> list[int] | None:
    """Split a queued scan into chunks and mark it running; return the chunk indexes.

    The caller dispatches the chunks (``[]``: nothing to scan, summarise at
    once). A scan that is not queued any more (a second delivery, a cancel,
    a source that is gone) gives ``None``; a finished one is cleaned up.
    """
    job = ScanJob.objects.select_related("scan").filter(scan_id=scan_id).first()
    if job is None:
        return None
    if job.scan.status != ScanStatus.QUEUED:
        if job.scan.is_finished:
            cleanup(scan_id)
        return None
    try:
        chunks = _split(job)
    except ScanSourceError as exc:
        fail(scan_id, exc.message)
        return None
    now = timezone.now()
    with transaction.atomic():
        scan = Scan.objects.select_for_update().get(pk=scan_id)
        if scan.status != ScanStatus.QUEUED:
            return None
        ScanChunk.objects.bulk_create(
            [ScanChunk(scan=scan, index=i, units=[list(u) for u in chunk], unit_count=len(chunk),
                       size=sum(u[2] for u in chunk)) for i, chunk in enumerate(chunks)],
            batch_size=1000,
        )
        Scan.objects.filter(pk=scan_id).update(
            status=ScanStatus.RUNNING, started_at=now, last_progress_at=now,
            progress_done=0, progress_total=sum(len(c) for c in chunks),
        )
    hooks.scan_changed(scan)
    return list(range(len(chunks)))


def _split(job: ScanJob) -> list[list[units.Unit]]:
    if job.source_type == SourceType.DATABASE:
        return [[DATABASE_UNIT]]
    if not job.root or not os.path.isdir(job.root):
        raise ScanSourceError("The files to scan are no longer on the server.")
    return units.split(units.list_file_units(job.root), settings.DG_CHUNK_MB * MiB,
                       settings.DG_CHUNK_FILES)


def run_chunk(scan_id: int, index: int) -> str:
    """Scan one chunk and write its findings once; returns what happened."""
    chunk = ScanChunk.objects.select_related("scan__job").filter(scan_id=scan_id, index=index).first()
    if chunk is None:
        return "missing"
    if chunk.done_at is not None:
        return "already done"
    scan = chunk.scan
    if scan.status != ScanStatus.RUNNING:
        return f"scan {scan.status}"
    outcome = _scan_units(scan, chunk)
    if outcome.cancelled:
        return "scan cancelled"
    # Finding paths come out of the engine masked; so is the root cut from them.
    prefix = engine().mask_location(units.root_prefix(scan.job.root)) if scan.job.root else ""
    now = timezone.now()
    with transaction.atomic():
        claimed = ScanChunk.objects.filter(pk=chunk.pk, done_at__isnull=True).update(
            done_at=now, findings_count=len(outcome.findings),
            errors=[masked_error(e) for e in outcome.errors[:CHUNK_FILE_ERRORS_KEPT]],
            error_count=len(outcome.errors),
        )
        if not claimed:
            return "already done"
        ingest.write_findings(scan, outcome.findings, path_prefix=prefix)
        # Last, so the scan row is locked only briefly; also re-checks the status.
        moved = Scan.objects.filter(pk=scan_id, status=ScanStatus.RUNNING).update(
            progress_done=F("progress_done") + chunk.unit_count, last_progress_at=now
        )
        if not moved:
            transaction.set_rollback(True)
            return "scan no longer running"
        transaction.on_commit(lambda: hooks.findings_written(scan))
    return f"{len(outcome.findings)} findings"


def _scan_units(scan: Scan, chunk: ScanChunk) -> units.ChunkOutcome:
    checked = [time.monotonic()]

    def cancelled() -> bool:
        # A cheap indexed read, at most every CANCEL_POLL_SECONDS.
        if time.monotonic() - checked[0] < CANCEL_POLL_SECONDS:
            return False
        checked[0] = time.monotonic()
        return not Scan.objects.filter(pk=scan.pk, status=ScanStatus.RUNNING).exists()

    chunk_units = [tuple(u) for u in chunk.units]
    if scan.job.source_type == SourceType.DATABASE:
        return _scan_database(scan)
    return units.scan_file_units(scan.job.root, chunk_units, engine(), units.default_limits(), cancelled)


def _scan_database(scan: Scan) -> units.ChunkOutcome:
    """Scan the database of ``scan``, checked again and pinned to the address checked.

    A refusal or a failed connection is the scan's one error, in words that
    tell nothing of the network (no port states) nor the credentials; the
    driver's reason goes to the log, cleaned of the URL's secrets.
    """
    from dataguardian.scanner.database import DatabaseConnectError, redact_url, scan_database

    credential = ScanCredential.objects.filter(scan=scan).first()
    if credential is None:
        raise ScanSourceError("The database credentials are gone (the scan ended).")
    outcome = units.ChunkOutcome()
    try:
        url = dbtargets.connection_url(decrypt_secret(credential.token))
        for result in scan_database(url, engine()):
            outcome.findings.extend(result.findings)
            outcome.errors.extend(units.file_error(e.path, e.reason) for e in result.errors)
    except ScanSourceError as exc:
        outcome.errors.append(units.file_error("database", exc.message))
    except DatabaseConnectError as exc:
        logger.warning("scan %s: cannot connect to %s: %s", scan.pk, redact_url(url), exc.detail)
        outcome.errors.append(units.file_error("database", CONNECT_FAILED))
    return outcome


def pending_chunks(scan_id: int) -> list[int]:
    return list(ScanChunk.objects.filter(scan_id=scan_id, done_at__isnull=True)
                .order_by("index").values_list("index", flat=True))


def risk_score(counts: dict[int, int]) -> float:
    """0-100: ``100 * (1 - exp(-W / 250))`` with W = 25 x critical + 10 x high + 3 x medium + low.

    Saturating, so one critical finding already shows (9.5) and no number
    of findings passes 100; 10 critical findings give 63.
    """
    weight = sum(RISK_WEIGHTS[Severity(rank)] * n for rank, n in counts.items())
    return round(100.0 * (1.0 - math.exp(-weight / RISK_SCALE)), 2)


def file_errors(scan_id: int) -> dict:
    """How many files the chunks could not scan, and the first of them in chunk order.

    Two bounded queries: a sum over the scan's chunks, and at most
    SCAN_FILE_ERRORS_KEPT chunk rows (each one that has errors adds at least one).
    """
    chunks = ScanChunk.objects.filter(scan_id=scan_id, error_count__gt=0)
    total = chunks.aggregate(n=Sum("error_count"))["n"] or 0
    kept: list[dict] = []
    if total:
        for errors in chunks.order_by("index").values_list("errors", flat=True)[:SCAN_FILE_ERRORS_KEPT]:
            kept.extend(errors[: SCAN_FILE_ERRORS_KEPT - len(kept)])
            if len(kept) >= SCAN_FILE_ERRORS_KEPT:
                break
    return {"file_errors_count": total, "file_errors": kept}


def summarize(scan_id: int) -> str:
    """Count findings, score the risk, complete the scan, clean up.

    Returns "pending" while chunks are still unwritten (the caller retries);
    a cancelled or failed scan keeps its status but gets its counts.
    """
    scan = Scan.objects.filter(pk=scan_id).first()
    if scan is None:
        return "missing"
    if scan.status == ScanStatus.RUNNING and pending_chunks(scan_id):
        return "pending"
    severities: dict[int, int] = {}
    entities: dict[str, int] = {}
    for row in Finding.objects.filter(scan_id=scan_id).values("entity", "severity").annotate(n=Count("id")):
        severities[row["severity"]] = severities.get(row["severity"], 0) + row["n"]
        entities[row["entity"]] = entities.get(row["entity"], 0) + row["n"]
    counts = {
        "findings_count": sum(entities.values()),
        "count_low": severities.get(Severity.LOW, 0),
        "count_medium": severities.get(Severity.MEDIUM, 0),
        "count_high": severities.get(Severity.HIGH, 0),
        "count_critical": severities.get(Severity.CRITICAL, 0),
        "entity_counts": dict(sorted(entities.items(), key=lambda kv: -kv[1])),
        "risk_score": risk_score(severities),
        **file_errors(scan_id),
    }
    now = timezone.now()
    with transaction.atomic():
        completed = Scan.objects.filter(pk=scan_id, status=ScanStatus.RUNNING).update(
            status=ScanStatus.COMPLETED, finished_at=now, last_progress_at=now,
            progress_done=F("progress_total"), **counts,
        )
        if not completed:
            Scan.objects.filter(pk=scan_id).exclude(status__in=UNFINISHED_STATUSES).update(**counts)
    cleanup(scan_id)
    hooks.scan_changed(scan)
    return "completed" if completed else f"left {scan.status}"


def fail(scan_id: int, reason: str) -> bool:
    """End an unfinished scan as failed with ``reason`` (shown to the user)."""
    now = timezone.now()
    failed = Scan.objects.filter(pk=scan_id, status__in=UNFINISHED_STATUSES).update(
        status=ScanStatus.FAILED, error_message=reason[:2000], finished_at=now, last_progress_at=now
    )
    cleanup(scan_id)
    if failed:
        logger.warning("scan %s failed: %s", scan_id, reason)
        hooks.scan_changed(Scan.objects.only("pk", "organization_id").get(pk=scan_id))
    return bool(failed)


def cleanup(scan_id: int) -> None:
    """For a finished scan: drop its credentials and (unless kept) its upload, then index its findings."""
    scan = Scan.objects.select_related("job").filter(pk=scan_id).first()
    if scan is None or not scan.is_finished:
        return
    ScanCredential.objects.filter(scan_id=scan_id).delete()
    _remove_upload(scan)
    partition_lifecycle.on_scan_finished(scan_id)


def _remove_upload(scan: Scan) -> None:
    job = getattr(scan, "job", None)
    if job is None or job.source_type != SourceType.UPLOAD or settings.DG_KEEP_UPLOADS or not job.root:
        return
    root = os.path.realpath(job.root)
    # Only ever a folder store_upload made, whatever the row says.
    if os.path.dirname(root) == os.path.realpath(uploads_root()):
        shutil.rmtree(root, ignore_errors=True)
