"""Index audit: a deliberately unused index, a covered one, a seq-scanned table."""

from __future__ import annotations

import json
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from performance.db.index_audit import run_audit
from performance.models import IndexAuditReport

pytestmark = pytest.mark.postgres


def execute(*statements: str) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@pytest.mark.django_db
def test_unused_and_overlapping_indexes_are_found():
    execute(
        "CREATE TABLE perf_audit_t (id int PRIMARY KEY, a int, b int, c text)",
        "CREATE INDEX perf_audit_a ON perf_audit_t (a)",
        "CREATE INDEX perf_audit_a_b ON perf_audit_t (a, b)",
        "CREATE INDEX perf_audit_c ON perf_audit_t (c)",
        "CREATE INDEX perf_audit_c_again ON perf_audit_t (c)",
    )
    report = run_audit()
    unused = {u["index"]: u for u in report.unused}
    assert {"perf_audit_a", "perf_audit_a_b", "perf_audit_c"} <= set(unused)
    assert "perf_audit_t_pkey" not in unused  # it enforces a constraint
    assert unused["perf_audit_a"]["bytes"] > 0 and "CREATE INDEX" in unused["perf_audit_a"]["definition"]
    pairs = {(d["redundant"], d["kept"], d["kind"]) for d in report.duplicates}
    assert ("perf_audit_a", "perf_audit_a_b", "overlapping") in pairs
    duplicates = [p for p in pairs if p[2] == "duplicate" and "perf_audit_c" in p[0]]
    assert len(duplicates) == 1  # one of the identical pair is reported, once
    assert ("perf_audit_a_b", "perf_audit_a", "overlapping") not in pairs
    assert report.reclaimable_bytes >= unused["perf_audit_a"]["bytes"]


@pytest.mark.django_db
def test_command_prints_json_and_saves_a_report():
    execute("CREATE TABLE perf_audit_u (id int PRIMARY KEY, a int)",
            "CREATE INDEX perf_audit_u_a ON perf_audit_u (a)")
    out = StringIO()
    call_command("index_audit", "--json", "--save", stdout=out, stderr=StringIO())
    data = json.loads(out.getvalue())
    assert "perf_audit_u_a" in {u["index"] for u in data["unused"]}
    saved = IndexAuditReport.objects.get()
    assert saved.unused_count == len(data["unused"]) and saved.reclaimable_bytes == data["reclaimable_bytes"]


@pytest.mark.django_db(transaction=True)
def test_a_table_read_by_sequential_scans_is_reported():
    execute(
        "CREATE TABLE perf_audit_seq (id int PRIMARY KEY, a int)",
        "INSERT INTO perf_audit_seq SELECT g, g % 7 FROM generate_series(1, 3000) g",
        "ANALYZE perf_audit_seq",
    )
    try:
        for _ in range(5):
            execute("SELECT count(*) FROM perf_audit_seq WHERE a = 3")
        found = []
        for _ in range(50):  # statistics reach the shared view when the backend goes idle
            execute("SELECT pg_stat_force_next_flush()")
            connection.close()
            found = [t for t in run_audit(min_rows=1000).seq_scan_heavy if t["table"] == "perf_audit_seq"]
            if found:
                break
            time.sleep(0.1)
        assert found and found[0]["seq_scan"] >= 5 and found[0]["live_rows"] >= 1000
    finally:
        execute("DROP TABLE IF EXISTS perf_audit_seq")
