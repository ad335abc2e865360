"""Starting a scan from the page: good sources start one, bad ones explain why and leave nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dataguardian.orgs.models import Role
from dataguardian.scans.models import Scan

pytestmark = pytest.mark.django_db
URL = reverse("scans:new")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _leftovers(media_root) -> list:
    uploads = media_root / "uploads"
    return list(uploads.rglob("*")) if uploads.exists() else []


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_uploading_an_archive_starts_a_scan(analyst, media_root, django_capture_on_commit_callbacks):
    archive = SimpleUploadedFile("hr.zip", _zip({"people.csv": b"name,email\nAnna,anna@example.nl\n"}))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = analyst.post(URL, {"source": "upload", "kind": "documents", "files": [archive]})
    scan = Scan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scans:detail", args=[scan.pk])
    assert scan.status == "queued" and scan.created_by == analyst.user
    assert callbacks, "the scan task is enqueued on commit"
    assert "is queued" in analyst.get(response["Location"]).content.decode()


def test_several_files_start_one_scan(analyst):
    files = [SimpleUploadedFile("a.txt", b"mail me: a@example.nl"),
             SimpleUploadedFile("b.csv", b"x,y\n1,2\n")]
    response = analyst.post(URL, {"source": "upload", "kind": "documents", "files": files})
    assert response.status_code == 302
    assert Scan.objects.count() == 1


def _bomb() -> bytes:
    return _zip({"zeros.txt": b"\0" * (64 * 1024 * 1024)})


BAD_UPLOADS = {
    "empty": (lambda: [SimpleUploadedFile("empty.txt", b"")], "empty"),
    "not an archive": (lambda: [SimpleUploadedFile("data.zip", b"just some text, not a zip")],
                       "is not an archive"),
    "zip bomb": (lambda: [SimpleUploadedFile("bomb.zip", _bomb())], "bomb"),
    "nothing chosen": (lambda: [], "Choose at least one file"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_uploads_show_a_clear_message_and_leave_nothing(analyst, media_root, case):
    make_files, message = BAD_UPLOADS[case]
    response = analyst.post(URL, {"source": "upload", "kind": "documents", "files": make_files()})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The scan was not started." in html
    assert message in html
    assert Scan.objects.count() == 0
    assert _leftovers(media_root) == []


def test_too_large_upload_is_refused(analyst, settings, media_root):
    settings.DG_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("big.txt", b"x" * (1024 * 1024 + 10))
    response = analyst.post(URL, {"source": "upload", "kind": "documents", "files": [big]})
    assert response.status_code == 400
    assert "the limit is 1 MB" in response.content.decode()
    assert Scan.objects.count() == 0
    assert _leftovers(media_root) == []


def test_folder_choices_come_from_the_allow_list(analyst, settings, tmp_path):
    allowed = tmp_path / "shared"
    allowed.mkdir()
    (allowed / "notes.txt").write_text("call 06-12345678")
    settings.DG_SCAN_FOLDERS = [str(allowed)]
    assert str(allowed) in analyst.get(URL).content.decode()
    refused = analyst.post(URL, {"source": "folder", "kind": "documents", "folder": "/etc"})
    assert refused.status_code == 400 and Scan.objects.count() == 0
    response = analyst.post(URL, {"source": "folder", "kind": "code", "folder": str(allowed)})
    assert response.status_code == 302
    assert Scan.objects.get().kind == "code"


def test_database_url_is_never_echoed_back(analyst, settings):
    settings.DG_SCAN_DATABASE_HOSTS = ["192.0.2.10"]
    secret = "s3cret-Passw0rd"
    response = analyst.post(URL, {"source": "database", "database_url": f"mysql://dg:{secret}@db/x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The scan was not started." in html
    assert secret not in html
    assert Scan.objects.count() == 0


def test_database_scan_stores_only_a_redacted_source(analyst, settings):
    settings.DG_SCAN_DATABASE_HOSTS = ["192.0.2.10"]
    secret = "s3cret-Passw0rd"
    response = analyst.post(URL, {"source": "database", "database_url": f"postgres://dg:{secret}@192.0.2.10:5432/crm"})
    assert response.status_code == 302
    scan = Scan.objects.get()
    assert scan.kind == "database"
    assert secret not in scan.source
    assert secret not in analyst.get(response["Location"]).content.decode()


def test_viewer_cannot_post_a_scan(member_client):
    viewer = member_client(Role.VIEWER)
    response = viewer.post(URL, {"source": "upload", "kind": "documents",
                                 "files": [SimpleUploadedFile("a.txt", b"x")]})
    assert response.status_code == 403
    assert Scan.objects.count() == 0


def test_too_many_files_get_a_form_error_naming_the_limit(analyst, settings, media_root, caplog):
    settings.DG_MAX_UPLOAD_FILES = 5
    files = [SimpleUploadedFile(f"f{i}.txt", b"mail a@example.nl") for i in range(6)]
    with caplog.at_level("WARNING"):
        response = analyst.post(URL, {"source": "upload", "kind": "documents", "files": files})
    assert response.status_code == 400
    html = response.content.decode()
    assert "You can upload at most 5 files at once" in html
    assert Scan.objects.count() == 0 and _leftovers(media_root) == []
    assert not [r for r in caplog.records if r.exc_info or r.name.startswith("django.security")]
    files = [SimpleUploadedFile(f"f{i}.txt", b"mail a@example.nl") for i in range(5)]
    assert analyst.post(URL, {"source": "upload", "kind": "documents", "files": files}).status_code == 302


def test_database_option_is_off_with_a_sentence_when_nothing_is_allowed(analyst, settings):
    settings.DG_SCAN_DATABASE_HOSTS, settings.DG_SCAN_FOLDERS = [], []
    html = analyst.get(URL).content.decode()
    assert "Database scans are off on this installation" in html and "DG_SCAN_DATABASE_HOSTS" in html
    assert "disabled" in html.split('value="database"')[1].split(">")[0]
    assert 'name="database_url"' not in html
    response = analyst.post(URL, {"source": "database", "database_url": "postgres://u:p@192.0.2.10/x"})
    assert response.status_code == 400 and "Database scans are off" in response.content.decode()
    assert Scan.objects.count() == 0
    settings.DG_SCAN_DATABASE_HOSTS = ["192.0.2.10"]
    html = analyst.get(URL).content.decode()
    assert "Database scans are off" not in html and "192.0.2.10" in html
