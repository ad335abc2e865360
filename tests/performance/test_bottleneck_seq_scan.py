"""Sequential-scan rule: a large table read mostly by sequential scans (PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection

from performance.bottlenecks.seq_scan import SeqScanRule

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tables():
    with connection.cursor() as cursor:
        for name, rows in (("perf_big", 5000), ("perf_small", 200)):
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            cursor.execute(f"CREATE TABLE {name} (id int, v int)")
            cursor.execute(f"INSERT INTO {name} SELECT g, g % 7 FROM generate_series(1, {rows}) g")
            cursor.execute(f"ANALYZE {name}")
            for _ in range(5):
                cursor.execute(f"SELECT count(*) FROM {name} WHERE v = 3")
        cursor.execute("SELECT pg_stat_force_next_flush()")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE perf_big, perf_small")


def test_fires_on_the_large_table_only(tables):
    rule = SeqScanRule(min_rows=1000, min_seq_scans=5)
    findings = {f.subject: f for f in rule.run(datetime.now(tz=UTC))}
    assert "perf_big" in findings and "perf_small" not in findings  # 200 rows: a near miss
    big = findings["perf_big"]
    assert big.evidence["live_rows"] >= 5000 and big.evidence["seq_scans"] >= 5
    assert "add an index" in big.recommendation


def test_quiet_when_scanned_fewer_times_than_the_threshold(tables):
    findings = SeqScanRule(min_rows=1000, min_seq_scans=50).run(datetime.now(tz=UTC))
    assert "perf_big" not in {f.subject for f in findings}
