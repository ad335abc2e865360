"""End to end: PostgreSQL, Redis and real ``celery worker`` processes.

The worker runs as a subprocess against the test database pytest-django
created (committed data: ``transaction=True``) and this test's own Redis db.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count

from dataguardian.scans import partitions
from dataguardian.scans.models import Finding, Scan, ScanChunk, ScanStatus
from dataguardian.scans.services import scan_cancel, scan_create, store_upload, sweep
from dataguardian.scans.tasks import dispatch
from tests.scans.pipeline_support import (
    expected_by_path,
    expected_findings,
    make_member,
    make_org,
    mixed_files,
    upload,
    write_tree,
)
from tests.scans.worker_support import Worker, flush_redis_db, wait_for, worker_env

pytestmark = [
    pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def workers(media, tmp_path):
    """Start workers on demand; every one is stopped before the database is flushed."""
    flush_redis_db(settings.REDIS_URL)
    started: list[Worker] = []
    env = worker_env(connection.settings_dict["NAME"], media, DG_CHUNK_FILES="2", DG_CHUNK_MB="1")

    def start() -> Worker:
        worker = Worker(env, tmp_path)
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def user():
    return make_member(make_org())


def _files(seed: int, count: int, rows: int) -> list[tuple[str, bytes]]:
    return [(name.replace("/", "_"), data) for name, data in mixed_files(seed, count, rows)]


def _start(user, files) -> Scan:
    return scan_create(user=user, organization=user.memberships.get().organization, kind="documents",
                       upload_dir=store_upload([upload(n, d) for n, d in files]))


def _status(scan: Scan) -> str:
    scan.refresh_from_db()
    return scan.status


def _per_path(scan: Scan) -> Counter:
    rows = Finding.objects.filter(scan=scan).values("path").annotate(n=Count("id"))
    return Counter({row["path"]: row["n"] for row in rows})


def test_upload_is_scanned_to_completion_by_a_worker(workers, user, tmp_path, media):
    files = _files(seed=11, count=6, rows=10)
    expected = expected_findings(write_tree(tmp_path / "oracle", iter(files)))
    workers()
    scan = _start(user, files)
    wait_for(lambda: _status(scan) not in (ScanStatus.QUEUED, ScanStatus.RUNNING), timeout=45)
    assert scan.status == ScanStatus.COMPLETED, scan.error_message
    assert expected > 0 and scan.findings_count == expected == Finding.objects.filter(scan=scan).count()
    assert scan.progress_done == scan.progress_total == len(files)
    assert ScanChunk.objects.filter(scan=scan).count() == 3
    # The upload goes right after the scan is marked completed (pipeline.cleanup).
    wait_for(lambda: not list((media / "uploads").iterdir()), timeout=10)
    # The worker then indexes the scan's findings partition (two connections side by side).
    wait_for(lambda: partitions.is_finalized(scan.pk), timeout=30)


def test_worker_killed_mid_scan_then_scan_completes_without_duplicates(workers, user, tmp_path):
    files = _files(seed=12, count=40, rows=12)
    expected = expected_by_path(write_tree(tmp_path / "oracle", iter(files)))
    first = workers()
    scan = _start(user, files)

    def partly_done() -> bool:
        scan.refresh_from_db()
        return 0 < scan.progress_done < scan.progress_total

    wait_for(partly_done, timeout=40, interval=0.02)
    first.kill()  # SIGKILL, worker and pool child: a chunk is lost mid-flight
    done_at_kill = ScanChunk.objects.filter(scan=scan, done_at__isnull=False).count()
    assert _status(scan) == ScanStatus.RUNNING and done_at_kill < ScanChunk.objects.filter(scan=scan).count()

    workers()

    # What beat does every minute, with seconds in place of DG_STALE_SCAN_MINUTES:
    # while the new worker makes progress the scan is not stale; once only the
    # chunk lost with the killed worker is missing, the sweep requeues it.
    def swept_to_the_end() -> bool:
        outcome = sweep.sweep(timedelta(seconds=5), dispatch=dispatch)
        assert outcome["failed"] == 0, outcome
        return _status(scan) != ScanStatus.RUNNING

    wait_for(swept_to_the_end, timeout=90, interval=0.5)
    assert scan.status == ScanStatus.COMPLETED, scan.error_message
    # Every file's findings exactly once: none lost with the killed chunk, none written twice.
    assert _per_path(scan) == expected
    assert scan.findings_count == sum(expected.values())
    assert scan.progress_done == scan.progress_total == len(files)


def test_cancelled_scan_stops(workers, user, media):
    files = _files(seed=13, count=40, rows=12)
    workers()
    scan = _start(user, files)
    wait_for(lambda: Scan.objects.filter(pk=scan.pk, progress_done__gt=0).exists(), timeout=40, interval=0.02)
    scan_cancel(user=user, scan=scan)
    # The chunks left return at once; the chord's summary then removes the upload.
    wait_for(lambda: not list((media / "uploads").iterdir()), timeout=40)
    done = ScanChunk.objects.filter(scan=scan, done_at__isnull=False).count()
    time.sleep(2)
    assert ScanChunk.objects.filter(scan=scan, done_at__isnull=False).count() == done
    assert done < ScanChunk.objects.filter(scan=scan).count()
    scan.refresh_from_db()
    assert scan.status == ScanStatus.CANCELLED
    assert scan.progress_done < scan.progress_total
    assert scan.findings_count == Finding.objects.filter(scan=scan).count()
