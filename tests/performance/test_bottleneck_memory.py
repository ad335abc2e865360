"""Memory rule: under 10 % free for 5 minutes, or swapping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from performance.bottlenecks.memory import MemoryRule

from .monitoring_support import system_samples

pytestmark = pytest.mark.django_db
PROCESSES = [{"pid": 11, "role": "web", "cpu_pct": 5.0, "rss_bytes": 900 * 2**20}]


def test_fires_when_memory_stays_full_and_names_the_largest_process():
    system_samples("db-1", datetime.now(tz=UTC), minutes=5, values={"mem_pct": 95.0, "swap_pct": 0.0},
                   processes=PROCESSES)
    (finding,) = MemoryRule().run(datetime.now(tz=UTC))
    assert finding.subject == "db-1" and "web 11 900 MiB" in finding.recommendation


def test_fires_when_swapping():
    system_samples("db-1", datetime.now(tz=UTC), minutes=5, values={"mem_pct": 60.0, "swap_pct": 35.0})
    assert len(MemoryRule().run(datetime.now(tz=UTC))) == 1


def test_quiet_at_85_percent():
    system_samples("db-1", datetime.now(tz=UTC), minutes=5, values={"mem_pct": 85.0, "swap_pct": 2.0})
    assert MemoryRule().run(datetime.now(tz=UTC)) == []
