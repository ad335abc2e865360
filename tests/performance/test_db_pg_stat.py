"""pg_stat_statements snapshots store deltas between snapshots."""

from __future__ import annotations

import pytest
from django.db import connection

from performance.db.pg_stat import status, take_snapshot
from performance.models import QueryStatDelta, QueryStatSnapshot

from .db_support import require_or_skip

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PROBE = "SELECT count(*) AS perf_pgss_probe FROM django_migrations WHERE app = %s"


@pytest.fixture
def pgss():
    state = status()
    if not state["available"]:
        require_or_skip(f"pg_stat_statements unavailable: {state['reason']} (.ci/enable-pg-stat-statements)")


def probe(times: int) -> None:
    with connection.cursor() as cursor:
        for i in range(times):
            cursor.execute(PROBE, [f"app{i}"])


def probe_delta(result: dict) -> QueryStatDelta | None:
    deltas = QueryStatDelta.objects.filter(snapshot_id=result["snapshot_id"])
    return deltas.filter(query__contains="perf_pgss_probe").first()


def test_snapshots_produce_deltas(pgss, settings):
    settings.PERFORMANCE_PGSS_TOP = 1000
    first = take_snapshot()
    assert first["taken"] and first["baseline_only"]
    assert not QueryStatDelta.objects.exists()
    probe(3)
    second = take_snapshot()
    delta = probe_delta(second)
    assert delta is not None and delta.calls == 3
    assert delta.mean_ms == pytest.approx(delta.total_ms / 3)
    assert "app0" not in delta.query  # constants are normalised, then masked
    probe(2)
    third = take_snapshot()
    assert probe_delta(third).calls == 2  # the interval's calls, not the total
    assert QueryStatSnapshot.objects.get(pk=third["snapshot_id"]).interval_s > 0
    # Only the latest snapshot keeps the counters.
    assert QueryStatSnapshot.objects.exclude(baseline={}).count() == 1


def test_reset_is_detected_and_not_negative(pgss, settings):
    settings.PERFORMANCE_PGSS_TOP = 1000
    probe(3)
    take_snapshot()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database "
                       "WHERE datname = current_database()), 0)")
    probe(1)
    result = take_snapshot()
    assert result["reset_detected"] is True
    assert not QueryStatDelta.objects.filter(calls__lt=0).exists()
    assert probe_delta(result).calls == 1
