"""p95 regression rule: the last hour's p95 against the 7 days before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from performance.bottlenecks.p95_regression import P95RegressionRule

from .monitoring_support import minute_ago, span_rollup

pytestmark = pytest.mark.django_db


def history(recent_ms: float) -> None:
    now = datetime.now(tz=UTC)
    for day in range(1, 4):  # the baseline: hourly rows of earlier days at about 40 ms
        bucket = (now - timedelta(days=day)).replace(minute=0, second=0, microsecond=0)
        span_rollup("request", "scans:detail", bucket, [40.0] * 100, resolution=3600)
    for minutes in range(1, 11):  # the last hour, minute rows
        span_rollup("request", "scans:detail", minute_ago(minutes), [recent_ms] * 10)


def test_fires_when_p95_more_than_doubles():
    history(recent_ms=120.0)
    (finding,) = P95RegressionRule().run(datetime.now(tz=UTC))
    assert finding.subject == "scans:detail"
    assert finding.evidence["p95_ms"] > 100 and finding.evidence["baseline_p95_ms"] < 50
    assert finding.evidence["count"] == 100 and finding.evidence["baseline_count"] == 300


def test_quiet_when_the_rise_is_below_the_factor():
    history(recent_ms=52.0)  # 1.3 times the baseline
    assert P95RegressionRule().run(datetime.now(tz=UTC)) == []
