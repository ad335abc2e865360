"""Celery-wait rule: tasks that wait long in the queue before a worker starts them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from performance.bottlenecks.celery_wait import CeleryWaitRule

from .monitoring_support import minute_ago, span_rollup

pytestmark = pytest.mark.django_db


def test_fires_when_p95_wait_passes_30_seconds():
    span_rollup("queue", "scans.scan_chunk", minute_ago(2), [5_000.0] * 8 + [45_000.0] * 2)
    (finding,) = CeleryWaitRule().run(datetime.now(tz=UTC))
    assert finding.subject == "scans.scan_chunk" and finding.evidence["p95_wait_s"] > 30
    assert "--concurrency" in finding.recommendation


def test_quiet_below_30_seconds_or_with_few_tasks():
    span_rollup("queue", "scans.scan_chunk", minute_ago(2), [20_000.0] * 10)
    span_rollup("queue", "scans.summarize_scan", minute_ago(2), [60_000.0] * 3)
    assert CeleryWaitRule().run(datetime.now(tz=UTC)) == []
