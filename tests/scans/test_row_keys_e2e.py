"""End to end: a database scan of a table keyed by BSN stores, shows and exports no raw key."""

# ruff: noqa: F811 - fixtures imported from pipeline_support
from __future__ import annotations

import logging
import sqlite3

import pytest
from django.db import connection
from django.urls import reverse

from dataguardian.orgs.models import Role
from dataguardian.scanner.masking import keyed_hash
from dataguardian.scans.models import Finding, Scan, ScanStatus
from tests.scans.pipeline_support import eager_celery, media_root  # noqa: F401

pytestmark = pytest.mark.django_db
BSNS = ["111222333", "123456782", "247593010"]


def test_a_table_keyed_by_bsn_leaves_no_raw_key_anywhere(
        member_client, settings, tmp_path, eager_celery, media_root, caplog,
        django_capture_on_commit_callbacks):
    database = tmp_path / "gemeente.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE burgers (bsn TEXT PRIMARY KEY, email TEXT)")
        db.executemany("INSERT INTO burgers VALUES (?, ?)", [(b, f"inwoner{i}@example.nl")
                                                             for i, b in enumerate(BSNS)])
    db.close()
    settings.DG_SCAN_FOLDERS = [str(tmp_path)]
    analyst = member_client(Role.ANALYST)
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        response = analyst.post(reverse("scans:new"),
                                {"source": "database", "database_url": f"sqlite:///{database}"})
    assert response.status_code == 302
    scan = Scan.objects.get()
    assert scan.status == ScanStatus.COMPLETED, scan.file_errors
    assert Finding.objects.filter(entity="EMAIL").count() == 3  # the key column is scanned too

    key = settings.FINDING_HASH_KEY.encode()
    stored = set(Finding.objects.values_list("row_key", "row_key_hash"))
    assert stored == {("*******33", keyed_hash(key, BSNS[0])), ("*******82", keyed_hash(key, BSNS[1])),
                      ("*******10", keyed_hash(key, BSNS[2]))}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM scans_finding")
        raw_rows = repr(cursor.fetchall())

    pages = [analyst.get(reverse(name, args=[scan.pk])).content.decode()
             for name in ("scans:detail", "scans:findings", "scans:report")]
    exports = [b"".join(analyst.get(reverse("scans:export", args=[scan.pk, fmt])).streaming_content)
               .decode() for fmt in ("csv", "json", "sarif")]
    assert "*******82" in pages[0] and all("*******82" in export for export in exports)
    for text in [raw_rows, caplog.text, *pages, *exports]:
        assert not any(bsn in text for bsn in BSNS)
