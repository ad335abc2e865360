"""CPU rule: over 80 % for 5 minutes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from performance.bottlenecks.cpu import CpuRule

from .monitoring_support import system_samples

pytestmark = pytest.mark.django_db
PROCESSES = [{"pid": 10, "role": "worker", "cpu_pct": 180.0, "rss_bytes": 10}]


def test_fires_after_five_busy_minutes_and_names_the_busiest_process():
    system_samples("web-1", datetime.now(tz=UTC), minutes=5, values={"cpu_pct": 93.0}, processes=PROCESSES)
    (finding,) = CpuRule().run(datetime.now(tz=UTC))
    assert finding.subject == "web-1" and finding.evidence["min_cpu_pct"] == 93.0
    assert "worker 10" in finding.recommendation


def test_quiet_after_four_minutes_or_with_one_quieter_sample():
    system_samples("web-1", datetime.now(tz=UTC), minutes=4, values={"cpu_pct": 93.0})
    system_samples("web-2", datetime.now(tz=UTC), minutes=5,
                   values=lambda i: {"cpu_pct": 70.0 if i == 30 else 95.0})
    assert CpuRule().run(datetime.now(tz=UTC)) == []
