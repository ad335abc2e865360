"""Slow query rule: a shape whose mean reaches the threshold, seen at least 3 times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from performance.bottlenecks.slow_query import SlowQueryRule
from performance.models import SlowQuery

pytestmark = pytest.mark.django_db
SHAPE = 'SELECT * FROM "scans_finding" WHERE "scans_finding"."value_hash" = ?'


def slow(calls: int, total_ms: float, explain: str = "") -> None:
    now = datetime.now(tz=UTC)
    SlowQuery.objects.create(fingerprint_hash="cd" * 16, source="dataguardian.scans.views.findings",
                             fingerprint=SHAPE, example="...", calls=calls, total_ms=total_ms,
                             max_ms=total_ms / calls * 2, explain=explain, first_seen=now, last_seen=now)


def test_fires_and_names_the_table_its_plan_scans():
    slow(calls=3, total_ms=3 * 800, explain="Seq Scan on scans_finding_s12  (cost=0.00..1.00 rows=1)")
    (finding,) = SlowQueryRule().run(datetime.now(tz=UTC))
    assert finding.evidence["mean_ms"] == 800.0
    assert "scans_finding_s12" in finding.recommendation and "index" in finding.recommendation


@pytest.mark.parametrize("calls, total_ms", [(2, 2 * 900), (3, 3 * 450)])
def test_quiet_when_seen_too_rarely_or_not_slow_enough(calls, total_ms):
    slow(calls, total_ms)
    assert SlowQueryRule().run(datetime.now(tz=UTC)) == []
