"""Services: who may start scans, which sources are accepted, bad uploads refused."""

# ruff: noqa: F811 - fixtures imported from pipeline_support
from __future__ import annotations

import gzip
import io
import os
import zipfile

import pytest
from django.core.exceptions import PermissionDenied

from dataguardian.orgs.models import Role
from dataguardian.scans.models import Scan, ScanChunk, ScanCredential, ScanJob, ScanStatus
from dataguardian.scans.services import ScanSourceError, scan_cancel, scan_create, store_upload
from dataguardian.scans.sources import decrypt_secret
from tests.scanner.bombs import small_member_bomb, tar_bytes
from tests.scans.pipeline_support import (  # noqa: F401
    make_member,
    make_org,
    media_root,
    upload,
    uploads_left,
    zip_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return make_org()


@pytest.fixture
def allowed(settings, tmp_path):
    root = tmp_path / "allowed"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text("mail jan@example.nl")
    settings.DG_SCAN_FOLDERS = [str(root)]
    return root


def _stored(media_root):
    return store_upload([upload("notes.txt", b"call me at jan@example.nl")])


# --- roles -------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.ANALYST])
def test_members_who_may_scan_create_a_queued_scan(org, media_root, role, django_capture_on_commit_callbacks):
    user = make_member(org, role)
    with django_capture_on_commit_callbacks() as callbacks:
        scan = scan_create(user=user, organization=org, kind="documents", upload_dir=_stored(media_root))
    assert scan.status == ScanStatus.QUEUED and scan.created_by == user
    assert scan.source == "Upload: notes.txt"
    assert ScanJob.objects.get(scan=scan).source_type == "upload"
    # The start task is sent only once the row is committed (the others invalidate caches).
    assert [cb.__qualname__ for cb in callbacks].count("_scan_create.<locals>.<lambda>") == 1


def test_viewer_cannot_start_a_scan_and_leaves_nothing(org, media_root):
    viewer = make_member(org, Role.VIEWER)
    upload_dir = _stored(media_root)
    with pytest.raises(PermissionDenied):
        scan_create(user=viewer, organization=org, kind="documents", upload_dir=upload_dir)
    assert not Scan.objects.exists()
    assert uploads_left(media_root) == []


def test_member_of_another_organisation_cannot_start_a_scan(org, media_root):
    outsider = make_member(make_org("other"), Role.OWNER)
    with pytest.raises(PermissionDenied):
        scan_create(user=outsider, organization=org, kind="documents", upload_dir=_stored(media_root))
    assert not Scan.objects.exists()


def test_exactly_one_source_is_required(org, allowed, media_root):
    user = make_member(org)
    with pytest.raises(ScanSourceError):
        scan_create(user=user, organization=org, kind="documents")
    with pytest.raises(ScanSourceError):
        scan_create(user=user, organization=org, kind="documents", folder=str(allowed),
                    upload_dir=_stored(media_root))
    assert not Scan.objects.exists()
    assert uploads_left(media_root) == []


# --- folders -----------------------------------------------------------------


def test_allowed_folder_and_subfolder_are_accepted(org, allowed):
    user = make_member(org)
    scan = scan_create(user=user, organization=org, kind="code", folder=str(allowed / "sub"))
    assert ScanJob.objects.get(scan=scan).root == os.path.realpath(allowed / "sub")


@pytest.mark.parametrize("make_path", [
    lambda root: str(root / ".." / "elsewhere"),
    lambda root: str(root / "sub" / ".." / ".."),
    lambda root: "/etc",
    lambda root: "sub",  # relative
    lambda root: str(root) + "-sibling",  # a prefix of the root is not inside it
    lambda root: str(root / "nope"),  # does not exist
])
def test_paths_outside_the_allow_list_are_refused(org, allowed, make_path, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "allowed-sibling").mkdir()
    with pytest.raises(ScanSourceError):
        scan_create(user=make_member(org), organization=org, kind="documents", folder=make_path(allowed))
    assert not Scan.objects.exists()


def test_symlink_out_of_an_allowed_folder_is_refused(org, allowed, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (allowed / "link").symlink_to(secret)
    with pytest.raises(ScanSourceError):
        scan_create(user=make_member(org), organization=org, kind="documents", folder=str(allowed / "link"))


def test_no_allow_list_means_no_folder_scans(org, settings, tmp_path):
    settings.DG_SCAN_FOLDERS = []
    with pytest.raises(ScanSourceError, match="No server folders"):
        scan_create(user=make_member(org), organization=org, kind="documents", folder=str(tmp_path))


# --- uploads -----------------------------------------------------------------


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("zeros.txt", b"\0" * (16 * 1024 * 1024))
    return buffer.getvalue()


BAD_UPLOADS = {
    "nothing": ([], "No file"),
    "empty": ([upload("empty.txt", b"")], "empty"),
    "not an archive": ([upload("backup.zip", b"just some text, not a zip")], "not an archive"),
    "damaged zip": ([upload("backup.zip", b"PK\x03\x04" + b"\0" * 100)], "not a readable zip"),
    "7-zip": ([upload("a.7z", b"7z\xbc\xaf\x27\x1c" + b"\0" * 50)], "7-Zip"),
    "zip bomb": ([upload("bomb.zip", _bomb())], "zip bomb"),
    "gzip bomb": ([upload("bomb.gz", gzip.compress(b"\0" * (16 * 1024 * 1024)))], "zip bomb"),
    "second file bad": ([upload("ok.txt", b"fine"), upload("x.tar.gz", b"nope")], "not an archive"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_bad_uploads_are_refused_and_leave_no_files(case, media_root):
    files, message = BAD_UPLOADS[case]
    with pytest.raises(ScanSourceError, match=message):
        store_upload(files)
    assert uploads_left(media_root) == []


def test_upload_over_the_size_limit_is_refused(settings, media_root):
    settings.DG_MAX_UPLOAD_MB = 1
    with pytest.raises(ScanSourceError, match="limit is 1 MB"):
        store_upload([upload("big.txt", b"x" * (1024 * 1024 + 1))])
    assert uploads_left(media_root) == []


def test_an_upload_the_disk_refuses_is_a_clear_error(settings, tmp_path):
    # MEDIA_ROOT under a plain file: creating the upload's folder fails as on a
    # read-only or full disk (root ignores permission bits, so those cannot stand in).
    blocker = tmp_path / "media"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker
    with pytest.raises(ScanSourceError, match="could not be stored on the server"):
        store_upload([upload("notes.txt", b"call me at jan@example.nl")])
    assert blocker.read_text() == "not a folder"


def test_good_upload_is_stored_with_safe_names(media_root):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.csv", "email\njan@example.nl\n")
    stored = store_upload([upload("../../etc/passwd.txt", b"root"), upload("data.zip", archive.getvalue()),
                           upload("data.zip", archive.getvalue())])
    assert stored.parent == media_root / "uploads"
    assert sorted(p.name for p in stored.iterdir()) == ["data-1.zip", "data.zip", "passwd.txt"]


# --- database URLs -----------------------------------------------------------


@pytest.fixture
def database_server(settings):
    """An allowed database server (a documentation address: nothing here connects to it)."""
    settings.DG_SCAN_DATABASE_HOSTS = ["192.0.2.10"]
    return "192.0.2.10"


def test_database_url_is_stored_encrypted_and_shown_redacted(org, database_server):
    url = f"postgres://scanner:s3cr3t-pw@{database_server}:5432/crm?sslmode=require"
    scan = scan_create(user=make_member(org), organization=org, kind="database", database_url=url)
    assert scan.source == f"postgres://***@{database_server}:5432/crm"
    token = bytes(ScanCredential.objects.get(scan=scan).token)
    assert b"s3cr3t-pw" not in token and b"scanner" not in token
    assert decrypt_secret(token) == f"postgresql://scanner:s3cr3t-pw@{database_server}:5432/crm?sslmode=require"


@pytest.mark.parametrize("url", ["mysql://u:p@h/db", "http://example.com", "postgres://", "postgres://h:99999/db",
                                 "sqlite:////etc/passwd", "sqlite:///relative.db"])
def test_unsupported_or_unsafe_database_urls_are_refused(org, url, allowed):
    with pytest.raises(ScanSourceError) as caught:
        scan_create(user=make_member(org), organization=org, kind="database", database_url=url)
    assert "p@h" not in caught.value.message
    assert not ScanCredential.objects.exists() and not Scan.objects.exists()


def test_sqlite_file_inside_an_allowed_folder_is_accepted(org, allowed):
    db = allowed / "crm.sqlite3"
    db.write_bytes(b"")
    scan = scan_create(user=make_member(org), organization=org, kind="database", database_url=f"sqlite:///{db}")
    assert scan.source == f"sqlite:///{db}"
    assert decrypt_secret(ScanCredential.objects.get(scan=scan).token) == f"sqlite:///{db}"


# --- cancel ------------------------------------------------------------------


def test_cancel_ends_an_unfinished_scan_and_drops_credentials(org, database_server):
    user = make_member(org)
    scan = scan_create(user=user, organization=org, kind="database",
                       database_url=f"postgres://u:p@{database_server}/db")
    scan = scan_cancel(user=user, scan=scan)
    assert scan.status == ScanStatus.CANCELLED and scan.finished_at is not None
    assert not ScanCredential.objects.filter(scan=scan).exists()


def test_cancel_leaves_a_finished_scan_alone(org, allowed):
    user = make_member(org)
    scan = scan_create(user=user, organization=org, kind="documents", folder=str(allowed))
    Scan.objects.filter(pk=scan.pk).update(status=ScanStatus.COMPLETED)
    assert scan_cancel(user=user, scan=scan).status == ScanStatus.COMPLETED


def test_viewer_cannot_cancel(org, allowed):
    scan = scan_create(user=make_member(org), organization=org, kind="documents", folder=str(allowed))
    with pytest.raises(PermissionDenied):
        scan_cancel(user=make_member(org, Role.VIEWER), scan=scan)
    scan.refresh_from_db()
    assert scan.status == ScanStatus.QUEUED
    assert not ScanChunk.objects.exists()


def test_small_member_zip_bomb_is_refused_at_upload(media_root):
    # 2 000 members just under 1 MB each in a ~2 MB zip: judged from the directory, never inflated.
    with pytest.raises(ScanSourceError, match="compression ratio of the whole archive over 200:1"):
        store_upload([upload("parts.zip", small_member_bomb())])
    assert uploads_left(media_root) == []


def test_member_count_and_unpacked_size_are_capped_per_upload(settings, media_root):
    settings.DG_MAX_ARCHIVE_MEMBERS = 5
    three = zip_bytes((f"{i}.txt", b"x") for i in range(3))
    store_upload([upload("a.zip", three)])  # one archive under the cap
    with pytest.raises(ScanSourceError, match="more than 5 members"):
        store_upload([upload("a.zip", three), upload("b.zip", three)])
    many = tar_bytes({f"{i}.txt": b"x" for i in range(6)})
    with pytest.raises(ScanSourceError, match="more than 5 members"):
        store_upload([upload("many.tar", many)])
    settings.DG_MAX_ARCHIVE_MEMBERS, settings.DG_MAX_UNCOMPRESSED_MB = 100, 1
    half = zip_bytes(iter([("half.txt", os.urandom(600 * 1024))]))
    store_upload([upload("a.zip", half)])
    with pytest.raises(ScanSourceError, match="over the limit of 1.0 MiB"):
        store_upload([upload("a.zip", half), upload("b.zip", half)])


def test_an_empty_file_among_others_is_kept_for_the_scan_to_note(media_root):
    target = store_upload([upload("empty.txt", b""), upload("a.txt", b"mail a@example.nl")])
    assert sorted(p.name for p in target.iterdir()) == ["a.txt", "empty.txt"]
    with pytest.raises(ScanSourceError, match="Every uploaded file is empty"):
        store_upload([upload("empty.txt", b""), upload("also.txt", b"")])


