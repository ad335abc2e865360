"""Pool rule: processes waiting for database connections, or timing out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from performance.bottlenecks.pool import PoolRule
from performance.models import ProcessSample

pytestmark = pytest.mark.django_db


def samples(queued: int, timeouts: int = 0, n: int = 10) -> None:
    now = datetime.now(tz=UTC)
    ProcessSample.objects.bulk_create([
        ProcessSample(at=now - timedelta(seconds=10 * i), host="web-1", pid=100, role="web", pool_size=4,
                      pool_max=4, pool_available=2, pool_waiting=0, pool_requests=100, pool_queued=queued,
                      pool_wait_ms=queued * 3.0, pool_timeouts=timeouts if i == 0 else 0)
        for i in range(n)
    ])


def test_fires_when_many_checkouts_wait():
    samples(queued=20)
    (finding,) = PoolRule().run(datetime.now(tz=UTC))
    assert finding.subject == "web-1/web" and finding.evidence["waited_share"] == 0.2
    assert "DB_POOL_MAX_SIZE" in finding.recommendation


def test_fires_on_a_single_timeout():
    samples(queued=0, timeouts=1)
    (finding,) = PoolRule().run(datetime.now(tz=UTC))
    assert finding.evidence["timeouts"] == 1


def test_quiet_when_few_checkouts_wait():
    samples(queued=5)  # 5 %
    assert PoolRule().run(datetime.now(tz=UTC)) == []
