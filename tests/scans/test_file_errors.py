"""Files that could not be scanned: counted by the summary and shown on the scan's pages."""

# ruff: noqa: F811 - fixtures imported from pipeline_support
from __future__ import annotations

import io
import json
import struct
import zipfile

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dataguardian.orgs.models import Role
from dataguardian.scans.models import SCAN_FILE_ERRORS_KEPT, Scan, ScanChunk, ScanStatus
from dataguardian.scans.services import pipeline, scan_create, store_upload
from dataguardian.scans.services.units import file_error
from tests.foundation.factories import make_scan
from tests.scanner import sarif_schema
from tests.scanner.sample_documents import make_pdf
from tests.scans.pipeline_support import (  # noqa: F401 - fixtures
    eager_celery,
    media_root,
    mixed_files,
    upload,
    zip_bytes,
)
from tests.scans.test_views_queries import MAX_QUERIES

pytestmark = pytest.mark.django_db
MAIL = b"Mail jan.jansen@example.nl about the invoice.\n"


def locked_zip(members: dict[str, bytes], locked: str) -> bytes:
    """A zip whose member ``locked`` carries the "encrypted" flag (zipfile cannot write one):
    bit 0 of the flags in its local header (offset 6) and its central entry (offset 8)."""
    data = bytearray(zip_bytes(iter(members.items())))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        names = [info.filename for info in archive.infolist()]
        local, central = archive.getinfo(locked).header_offset, archive.start_dir
    for _ in range(names.index(locked)):
        central = data.find(b"PK\x01\x02", central + 4)
    for at in (local + 6, central + 8):
        data[at:at + 2] = struct.pack("<H", struct.unpack("<H", data[at:at + 2])[0] | 1)
    return bytes(data)


def _run_upload(analyst, files, capture) -> Scan:
    with capture(execute=True):
        scan = scan_create(user=analyst.user, organization=analyst.user.memberships.get().organization,
                           kind="documents", upload_dir=store_upload(files))
    scan.refresh_from_db()
    return scan


def _export(client, scan, fmt) -> bytes:
    return b"".join(client.get(reverse("scans:export", args=[scan.pk, fmt])).streaming_content)


def test_bad_members_are_counted_listed_and_shown_on_the_pages(
        member_client, media_root, eager_celery, django_capture_on_commit_callbacks):
    analyst = member_client(Role.ANALYST)
    archive = locked_zip({"hr/salaries.txt": MAIL, "hr/open.txt": MAIL}, locked="hr/salaries.txt")
    files = [upload("backup.zip", archive), upload("contract.pdf", make_pdf(["jan@example.nl"])[:150]),
             upload("notes.txt", MAIL)]
    scan = _run_upload(analyst, files, django_capture_on_commit_callbacks)

    assert scan.status == ScanStatus.COMPLETED, scan.error_message
    assert scan.findings_count == 2  # open.txt and notes.txt
    assert scan.file_errors_count == 2
    by_path = {error["path"]: error["reason"] for error in scan.file_errors}
    assert set(by_path) == {"backup.zip!hr/salaries.txt", "contract.pdf"}
    assert by_path["backup.zip!hr/salaries.txt"] == "encrypted member (password protected), skipped"
    assert "truncated or invalid PDF" in by_path["contract.pdf"]

    page = analyst.get(reverse("scans:detail", args=[scan.pk])).content.decode()
    assert "2 files could not be scanned" in page
    assert "backup.zip!hr/salaries.txt" in page and "encrypted member (password protected)" in page
    assert "truncated or invalid PDF" in page
    assert str(media_root) not in page  # never a server path
    report = analyst.get(reverse("scans:report", args=[scan.pk])).content.decode()
    assert "2 files could not be scanned" in report and "contract.pdf" in report
    summary = json.loads(_export(analyst, scan, "json"))["scan"]
    assert summary["file_errors_count"] == 2 and summary["file_errors"] == scan.file_errors
    log = json.loads(_export(analyst, scan, "sarif"))
    notices = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert sorted(n["message"]["text"].split(":")[0] for n in notices) == sorted(by_path)
    sarif_schema.assert_valid(log)


def test_bad_member_of_a_zip_split_over_chunks(member_client, media_root, eager_celery, settings,
                                               django_capture_on_commit_callbacks):
    """A large zip is scanned member by member in several chunks: the error still reaches the scan."""
    settings.DG_CHUNK_MB = 0.25  # fractions only in tests: split the zip into its members
    settings.DG_CHUNK_FILES = 3
    members = dict(mixed_files(seed=7, count=12, rows=300))
    members["vault/keys.txt"] = MAIL
    archive = locked_zip(members, locked="vault/keys.txt")
    scan = _run_upload(member_client(Role.ANALYST), [upload("big.zip", archive)],
                       django_capture_on_commit_callbacks)
    assert scan.status == ScanStatus.COMPLETED, scan.error_message
    assert ScanChunk.objects.filter(scan=scan).count() > 2
    assert scan.file_errors == [{"path": "big.zip!vault/keys.txt",
                                 "reason": "encrypted member (password protected), skipped"}]
    assert scan.file_errors_count == 1 and scan.findings_count > 0


def test_a_clean_scan_shows_no_error_section(member_client, media_root, eager_celery,
                                             django_capture_on_commit_callbacks):
    analyst = member_client(Role.ANALYST)
    scan = _run_upload(analyst, [upload("notes.txt", MAIL)], django_capture_on_commit_callbacks)
    assert scan.file_errors_count == 0 and scan.file_errors == []
    assert "could not be scanned" not in analyst.get(reverse("scans:detail", args=[scan.pk])).content.decode()


def test_summary_counts_every_error_and_keeps_the_first_in_chunk_order(org):
    scan = make_scan(org, status=ScanStatus.RUNNING, progress_total=3)
    per_chunk = [130, 0, 7]  # a chunk keeps at most 100 of its errors, and counts them all
    for index, count in enumerate(per_chunk):
        errors = [{"path": f"part{index}/file{n}.pdf", "reason": "encrypted PDF"} for n in range(count)]
        ScanChunk.objects.create(scan=scan, index=index, units=[], unit_count=1, errors=errors[:100],
                                 error_count=count)
    assert pipeline.file_errors(scan.pk) == {
        "file_errors_count": 137,
        "file_errors": [{"path": f"part0/file{n}.pdf", "reason": "encrypted PDF"}
                        for n in range(SCAN_FILE_ERRORS_KEPT)],
    }


def test_errors_past_the_kept_ones_are_announced(analyst, org):
    kept = [{"path": f"f{n}.pdf", "reason": "encrypted PDF"} for n in range(SCAN_FILE_ERRORS_KEPT)]
    scan = make_scan(org, status=ScanStatus.COMPLETED, file_errors_count=1234, file_errors=kept)
    page = analyst.get(reverse("scans:detail", args=[scan.pk])).content.decode()
    assert "1,234 files could not be scanned" in page
    assert f"And 1,184 more not listed here: the first {SCAN_FILE_ERRORS_KEPT} are shown." in page


def test_file_error_takes_the_server_folder_out_of_path_and_reason():
    root = "/srv/media/uploads/abc123"
    error = file_error(f"{root}/docs/a.zip!x.txt",
                       f"could not read: [Errno 13] Permission denied: '{root}/docs/a.zip'", root)
    assert error == {"path": "docs/a.zip!x.txt",
                     "reason": "could not read: [Errno 13] Permission denied: 'docs/a.zip'"}
    assert file_error("db:customers", "x" * 1000)["reason"].endswith("…")
    assert len(file_error("db:customers", "x" * 1000)["reason"]) == 300
    assert root not in file_error("a.txt", f"cannot open {root}", root)["reason"]


def test_zipfile_agrees_the_member_is_locked():
    archive = locked_zip({"a.txt": MAIL, "b.txt": MAIL, "c.txt": MAIL}, locked="b.txt")
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert [info.flag_bits & 1 for info in opened.infolist()] == [0, 1, 0]


def test_the_error_list_costs_no_query(analyst, org):
    """The errors travel in the scan row the detail page reads anyway."""
    kept = [{"path": f"f{n}.pdf", "reason": "encrypted PDF"} for n in range(SCAN_FILE_ERRORS_KEPT)]
    clean = make_scan(org, status=ScanStatus.COMPLETED)
    failing = make_scan(org, status=ScanStatus.COMPLETED, file_errors_count=5000, file_errors=kept)
    analyst.get(reverse("scans:list"))  # the session's first request does its own bookkeeping
    counts = []
    for scan in (clean, failing):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert analyst.get(reverse("scans:detail", args=[scan.pk])).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= MAX_QUERIES


def test_an_empty_upload_among_others_is_scanned_around_and_noted(
        member_client, media_root, eager_celery, django_capture_on_commit_callbacks):
    analyst = member_client(Role.ANALYST)
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst.post(reverse("scans:new"), {
            "source": "upload", "kind": "documents",
            "files": [upload("empty.txt", b""), upload("notes.txt", MAIL)]})
    assert response.status_code == 302
    scan = Scan.objects.get()
    assert scan.status == ScanStatus.COMPLETED and scan.findings_count == 1
    assert scan.file_errors == [{"path": "empty.txt", "reason": "empty file, nothing to scan"}]
    page = analyst.get(response["Location"]).content.decode()
    assert "empty.txt" in page and "empty file, nothing to scan" in page
