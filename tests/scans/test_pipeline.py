"""The pipeline at unit level: tasks run eagerly, in this process."""

# ruff: noqa: F811 - fixtures imported from pipeline_support
from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from dataguardian.scans import partitions
from dataguardian.scans.models import Finding, Scan, ScanChunk, ScanCredential, ScanJob, ScanStatus
from dataguardian.scans.services import pipeline, scan_cancel, scan_create, store_upload, sweep
from dataguardian.scans.tasks import cleanup_scan, dispatch, scan_chunk, start_scan, summarize_scan
from tests.scans.pipeline_support import (  # noqa: F401 - fixtures
    eager_celery,
    expected_findings,
    make_member,
    make_org,
    media_root,
    mixed_files,
    upload,
    uploads_left,
    write_tree,
    zip_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return make_member(make_org())


@pytest.fixture
def small_chunks(settings):
    settings.DG_CHUNK_MB = 0.25  # MB; fractions only in tests, to get several chunks from little data
    settings.DG_CHUNK_FILES = 3


def _upload_scan(user, files, capture) -> Scan:
    with capture(execute=True):
        return scan_create(user=user, organization=user.memberships.get().organization,
                           kind="documents", upload_dir=store_upload(files))


def _findings_indexed(scan: Scan) -> bool:
    """On PostgreSQL a scan that ended has its findings partition indexed (pipeline.cleanup)."""
    return partitions.is_finalized(scan.pk) if partitions.enabled() else True


def _queued_scan(user, files) -> Scan:
    """A scan created without running its task (on_commit never fires here)."""
    return scan_create(user=user, organization=user.memberships.get().organization,
                       kind="documents", upload_dir=store_upload(files))


def test_upload_scan_completes_with_every_finding(user, media_root, eager_celery, small_chunks, tmp_path,
                                                  django_capture_on_commit_callbacks):
    files = list(mixed_files(seed=1, count=8, rows=20))
    expected = expected_findings(write_tree(tmp_path / "oracle", iter(files)))
    big_zip = zip_bytes(mixed_files(seed=2, count=30, rows=60))
    expected += expected_findings(write_tree(tmp_path / "oracle2", [("big.zip", big_zip)]))

    uploads = [upload(n.replace("/", "_"), d) for n, d in files] + [upload("big.zip", big_zip)]
    scan = _upload_scan(user, uploads, django_capture_on_commit_callbacks)

    scan.refresh_from_db()
    assert scan.status == ScanStatus.COMPLETED, scan.error_message
    assert expected > 0 and scan.findings_count == expected == Finding.objects.filter(scan=scan).count()
    assert scan.progress_done == scan.progress_total == 8 + 30
    assert ScanChunk.objects.filter(scan=scan).count() > 2
    assert not ScanChunk.objects.filter(scan=scan, done_at__isnull=True).exists()
    assert sum(scan.entity_counts.values()) == expected
    assert scan.count_low + scan.count_medium + scan.count_high + scan.count_critical == expected
    assert 0 < scan.risk_score <= 100 and scan.finished_at is not None
    paths = set(Finding.objects.filter(scan=scan).values_list("path", flat=True))
    assert "big.zip!data/customers_0.csv" in paths
    assert not any(str(media_root) in p for p in paths)  # server paths never shown
    assert uploads_left(media_root) == []  # removed after the scan
    assert _findings_indexed(scan)
    assert set(Finding.objects.filter(scan=scan).values_list("organization_id", flat=True)) == {
        scan.organization_id}


def test_keep_uploads_setting_keeps_them(user, media_root, eager_celery, settings,
                                        django_capture_on_commit_callbacks):
    settings.DG_KEEP_UPLOADS = True
    scan = _upload_scan(user, [upload("a.txt", b"jan@example.nl")], django_capture_on_commit_callbacks)
    scan.refresh_from_db()
    assert scan.status == ScanStatus.COMPLETED and len(uploads_left(media_root)) == 1


def test_chunk_delivered_twice_writes_its_findings_once(user, media_root, small_chunks):
    scan = _queued_scan(user, [upload(n.replace("/", "_"), d) for n, d in mixed_files(3, 6, 30)])
    indexes = pipeline.start(scan.pk)
    assert indexes and pipeline.start(scan.pk) is None  # a second start does nothing
    assert ScanChunk.objects.filter(scan=scan).count() == len(indexes)
    first = pipeline.run_chunk(scan.pk, 0)
    written = Finding.objects.filter(scan=scan).count()
    assert written > 0 and first == f"{written} findings"
    assert pipeline.run_chunk(scan.pk, 0) == "already done"
    assert Finding.objects.filter(scan=scan).count() == written
    scan.refresh_from_db()
    assert scan.progress_done == ScanChunk.objects.get(scan=scan, index=0).unit_count


def test_summary_waits_for_unwritten_chunks(user, media_root, small_chunks):
    scan = _queued_scan(user, [upload(n.replace("/", "_"), d) for n, d in mixed_files(4, 6, 5)])
    indexes = pipeline.start(scan.pk)
    pipeline.run_chunk(scan.pk, indexes[0])
    assert pipeline.summarize(scan.pk) == "pending"
    for index in indexes[1:]:
        pipeline.run_chunk(scan.pk, index)
    assert pipeline.summarize(scan.pk) == "completed"
    assert pipeline.summarize(scan.pk) == "left completed"  # a second summary changes nothing


def test_cancelled_scan_stops_and_keeps_its_status(user, media_root, small_chunks, eager_celery):
    scan = _queued_scan(user, [upload(n.replace("/", "_"), d) for n, d in mixed_files(5, 6, 20)])
    indexes = pipeline.start(scan.pk)
    pipeline.run_chunk(scan.pk, indexes[0])
    scan_cancel(user=user, scan=scan)
    assert pipeline.run_chunk(scan.pk, indexes[1]) == "scan cancelled"
    assert not ScanChunk.objects.filter(scan=scan, index=indexes[1], done_at__isnull=False).exists()
    summarize_scan.delay(scan.pk)
    scan.refresh_from_db()
    assert scan.status == ScanStatus.CANCELLED
    assert scan.findings_count == Finding.objects.filter(scan=scan).count() > 0  # partial counts kept
    assert uploads_left(media_root) == []
    assert _findings_indexed(scan)


def test_cancel_before_start_means_no_chunks(user, media_root, eager_celery):
    scan = _queued_scan(user, [upload("a.txt", b"jan@example.nl")])
    scan_cancel(user=user, scan=scan)
    start_scan.delay(scan.pk)
    assert not ScanChunk.objects.filter(scan=scan).exists()
    assert uploads_left(media_root) == []


def test_chunk_that_keeps_failing_fails_the_scan_with_the_reason(user, media_root, eager_celery, settings):
    scan = _queued_scan(user, [upload("a.txt", b"jan@example.nl")])
    pipeline.start(scan.pk)
    # A chunk whose unit list is unusable raises on every attempt.
    ScanChunk.objects.filter(scan=scan).update(units=[["only-one-field"]])
    scan_chunk.delay(scan.pk, 0)
    scan.refresh_from_db()
    assert scan.status == ScanStatus.FAILED
    assert "Part 1 of the scan failed after 3 retries" in scan.error_message
    assert "ValueError" in scan.error_message
    assert uploads_left(media_root) == []
    assert _findings_indexed(scan)


def test_source_gone_before_start_fails_the_scan(user, media_root, eager_celery):
    scan = _queued_scan(user, [upload("a.txt", b"jan@example.nl")])
    for path in uploads_left(media_root):
        (path / "a.txt").unlink()
        path.rmdir()
    start_scan.delay(scan.pk)
    scan.refresh_from_db()
    assert scan.status == ScanStatus.FAILED and "no longer on the server" in scan.error_message


def test_empty_folder_completes_with_nothing(user, settings, tmp_path, eager_celery,
                                            django_capture_on_commit_callbacks):
    (tmp_path / "empty").mkdir()
    settings.DG_SCAN_FOLDERS = [str(tmp_path)]
    with django_capture_on_commit_callbacks(execute=True):
        scan = scan_create(user=user, organization=user.memberships.get().organization, kind="documents",
                           folder=str(tmp_path / "empty"))
    scan.refresh_from_db()
    assert scan.status == ScanStatus.COMPLETED and scan.findings_count == 0 and scan.risk_score == 0


def test_folder_scan_skips_symlinks_out_of_the_folder(user, settings, tmp_path, eager_celery,
                                                     django_capture_on_commit_callbacks):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir(), outside.mkdir()
    (root / "in.txt").write_text("mail jan@example.nl")
    (outside / "secret.txt").write_text("mail piet@example.nl")
    (root / "leak.txt").symlink_to(outside / "secret.txt")
    (root / "leakdir").symlink_to(outside)
    settings.DG_SCAN_FOLDERS = [str(root)]
    with django_capture_on_commit_callbacks(execute=True):
        scan = scan_create(user=user, organization=user.memberships.get().organization, kind="documents",
                           folder=str(root))
    scan.refresh_from_db()
    assert scan.status == ScanStatus.COMPLETED
    assert list(Finding.objects.filter(scan=scan).values_list("path", flat=True)) == ["in.txt"]


def test_sqlite_database_scan(user, settings, tmp_path, eager_celery, django_capture_on_commit_callbacks):
    db = tmp_path / "crm.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("create table customer (id integer primary key, email text, iban text)")
        conn.executemany("insert into customer (email, iban) values (?, ?)",
                         [(f"klant{i}@example.nl", "NL91ABNA0417164300") for i in range(10)])
    settings.DG_SCAN_FOLDERS = [str(tmp_path)]
    with django_capture_on_commit_callbacks(execute=True):
        scan = scan_create(user=user, organization=user.memberships.get().organization, kind="database",
                           database_url=f"sqlite:///{db}")
    scan.refresh_from_db()
    assert scan.status == ScanStatus.COMPLETED, scan.error_message
    assert Finding.objects.filter(scan=scan, entity="EMAIL", table_name="customer").count() == 10
    assert not ScanCredential.objects.filter(scan=scan).exists()


def test_phone_regions_and_masked_locations_reach_the_database_scan(
        user, settings, tmp_path, eager_celery, django_capture_on_commit_callbacks):
    db = tmp_path / "crm.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute('create table "klant 111222333" (id integer primary key, telefoon text)')
        conn.execute('insert into "klant 111222333" (telefoon) values (?)', ("(212) 555-0187",))
    settings.DG_SCAN_FOLDERS = [str(tmp_path)]
    settings.DG_PHONE_REGIONS = ("NL", "US")
    with django_capture_on_commit_callbacks(execute=True):
        scan = scan_create(user=user, organization=user.memberships.get().organization, kind="database",
                           database_url=f"sqlite:///{db}")
    scan.refresh_from_db()
    assert scan.status == ScanStatus.COMPLETED, scan.error_message
    (finding,) = Finding.objects.filter(scan=scan)
    assert (finding.entity, finding.table_name) == ("PHONE", "klant *******33")
    assert "111222333" not in finding.path
    assert pipeline.engine().phone_regions == ("NL", "US")


def test_upload_paths_are_stored_masked_with_the_upload_folder_cut(
        user, media_root, eager_celery, django_capture_on_commit_callbacks):
    files = [upload("klant 111222333.txt", b"mail jan@example.nl"),
             upload("bsn 123456782.pdf", b"%PDF-1.4 not really")]
    scan = _upload_scan(user, files, django_capture_on_commit_callbacks)
    scan.refresh_from_db()
    assert scan.status == ScanStatus.COMPLETED, scan.error_message
    assert list(Finding.objects.filter(scan=scan).values_list("path", flat=True)) == ["klant *******33.txt"]
    (error,) = ScanChunk.objects.get(scan=scan).errors
    assert error["path"] == "bsn *******82.pdf" and "123456782" not in error["reason"]


def test_file_errors_are_stored_masked():
    error = pipeline.masked_error({"path": "a/jan@example.nl.pdf",
                                   "reason": "cannot read jan@example.nl.pdf"})
    assert error == {"path": "a/j***@example.nl.pdf", "reason": "cannot read j***@example.nl.pdf"}


def _stale(scan: Scan, minutes: int = 30) -> None:
    Scan.objects.filter(pk=scan.pk).update(last_progress_at=timezone.now() - timedelta(minutes=minutes))


def test_sweep_requeues_the_missing_chunks_of_a_stale_scan(user, media_root, small_chunks, eager_celery,
                                                           tmp_path):
    files = [(n.replace("/", "_"), d) for n, d in mixed_files(6, 6, 10)]
    expected = expected_findings(write_tree(tmp_path / "oracle", iter(files)))
    scan = _queued_scan(user, [upload(n, d) for n, d in files])
    indexes = pipeline.start(scan.pk)
    pipeline.run_chunk(scan.pk, indexes[0])  # then the worker "dies"
    _stale(scan)
    assert sweep.sweep(timedelta(minutes=15), dispatch=dispatch) == {"requeued": 1, "failed": 0}
    scan.refresh_from_db()
    assert scan.status == ScanStatus.COMPLETED
    assert Finding.objects.filter(scan=scan).count() == expected  # chunk 0 not written twice
    assert ScanJob.objects.get(scan=scan).requeues == 1


def test_sweep_leaves_fresh_scans_alone_and_fails_hopeless_ones(user, media_root, settings):
    fresh = _queued_scan(user, [upload("a.txt", b"jan@example.nl")])
    hopeless = _queued_scan(user, [upload("b.txt", b"jan@example.nl")])
    ScanJob.objects.filter(scan=hopeless).update(requeues=settings.DG_STALE_SCAN_MAX_REQUEUES)
    Scan.objects.filter(pk=hopeless.pk).update(created_at=timezone.now() - timedelta(hours=1))
    sent = []
    assert sweep.sweep(timedelta(minutes=15), dispatch=lambda *a: sent.append(a)) == {
        "requeued": 0, "failed": 1}
    assert sent == []
    fresh.refresh_from_db(), hopeless.refresh_from_db()
    assert fresh.status == ScanStatus.QUEUED
    assert hopeless.status == ScanStatus.FAILED and "no progress for 15 minutes" in hopeless.error_message


def test_sweep_restarts_a_scan_whose_start_task_was_lost(user, media_root):
    scan = _queued_scan(user, [upload("a.txt", b"jan@example.nl")])
    Scan.objects.filter(pk=scan.pk).update(created_at=timezone.now() - timedelta(hours=1))
    sent = []
    sweep.sweep(timedelta(minutes=15), dispatch=lambda *a: sent.append(a))
    assert sent == [(scan.pk, None)]
    sweep.sweep(timedelta(minutes=15), dispatch=lambda *a: sent.append(a))
    assert len(sent) == 1  # not again until it is stale again


def test_a_scan_created_while_the_broker_is_down_stays_queued_and_the_sweep_starts_it(
        user, media_root, monkeypatch, settings, caplog, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):  # what kombu raises when Redis refuses the connection
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(start_scan, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        scan = _queued_scan(user, [upload("a.txt", b"jan@example.nl")])
    scan.refresh_from_db()
    assert scan.status == ScanStatus.QUEUED
    assert "task queue is unreachable" in caplog.text
    sent = []
    sweep.sweep(timedelta(minutes=15), dispatch=lambda *a: sent.append(a))
    assert sent == []  # too young: its start task may still be on its way
    Scan.objects.filter(pk=scan.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.DG_UNSTARTED_SCAN_SECONDS + 1))
    assert sweep.sweep(timedelta(minutes=15), dispatch=lambda *a: sent.append(a))["requeued"] == 1
    assert sent == [(scan.pk, None)]
    sweep.sweep(timedelta(minutes=15), dispatch=lambda *a: sent.append(a))
    assert len(sent) == 1  # sent once more, not every minute
    assert ScanJob.objects.get(scan=scan).requeues == 0  # and not counted against the scan


def test_the_new_scan_page_answers_while_the_broker_is_down(user, media_root, monkeypatch, client,
                                                            django_capture_on_commit_callbacks):
    monkeypatch.setattr(start_scan, "delay", lambda *a, **k: (_ for _ in ()).throw(
        OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")))
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/scans/new/", {"source": "upload", "kind": "documents",
                                               "files": [upload("a.txt", b"jan@example.nl")]})
    scan = Scan.objects.get(created_by=user)
    assert response.status_code == 302 and response["Location"] == f"/scans/{scan.pk}/"
    assert scan.status == ScanStatus.QUEUED


def test_cancelling_while_the_broker_is_down_still_cancels(user, media_root, monkeypatch, caplog,
                                                          django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(cleanup_scan, "apply_async", broker_down)
    scan = _queued_scan(user, [upload("a.txt", b"jan@example.nl")])
    with django_capture_on_commit_callbacks(execute=True):
        scan_cancel(user=user, scan=scan)
    scan.refresh_from_db()
    assert scan.status == ScanStatus.CANCELLED
    assert "task queue is unreachable" in caplog.text


@pytest.mark.parametrize(("counts", "score"), [
    ({}, 0.0), ({4: 1}, 9.52), ({4: 10}, 63.21), ({1: 250}, 63.21), ({4: 10_000}, 100.0),
])
def test_risk_score_formula(counts, score):
    assert pipeline.risk_score(counts) == score


def test_engine_is_built_once_per_process():
    assert pipeline.engine() is pipeline.engine()


def test_chunks_split_by_size_and_count():
    from dataguardian.scans.services.units import split

    units = [(f"f{i}", None, 400) for i in range(7)]
    assert [len(c) for c in split(iter(units), max_bytes=1000, max_units=10)] == [2, 2, 2, 1]
    assert [len(c) for c in split(iter(units), max_bytes=10**9, max_units=3)] == [3, 3, 1]
    assert split(iter([]), 10, 10) == []
    assert Path  # keep the import used for type clarity
