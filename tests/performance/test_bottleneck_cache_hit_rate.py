"""Cache hit-rate rule: a namespace whose hits over the window fall below its target."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import override_settings

from performance.bottlenecks.cache_hit_rate import CacheHitRateRule

from .monitoring_support import system_samples

pytestmark = pytest.mark.django_db


def traffic(hits: int, misses: int) -> None:
    def values(i):  # counters grow over the window from a base the window does not see
        return {"cache_hits.dashboard": 1000 + i * hits // 10,
                "cache_misses.dashboard": 5000 + i * misses // 10}

    system_samples("web-1", datetime.now(tz=UTC), minutes=50 / 60, values=values, every_s=5)


@override_settings(PERFORMANCE_CACHE_HIT_RATE_TARGETS={"dashboard": 0.9, "*": 0.5})
def test_fires_below_the_namespace_target():
    traffic(hits=800, misses=200)  # 80 %
    (finding,) = CacheHitRateRule().run(datetime.now(tz=UTC))
    assert finding.subject == "dashboard"
    assert finding.evidence["hit_rate"] == 0.8 and finding.evidence["target"] == 0.9


@override_settings(PERFORMANCE_CACHE_HIT_RATE_TARGETS={"dashboard": 0.75})
def test_quiet_just_above_the_target_or_with_too_few_lookups():
    traffic(hits=800, misses=200)
    assert CacheHitRateRule().run(datetime.now(tz=UTC)) == []
    assert CacheHitRateRule(min_lookups=5000).run(datetime.now(tz=UTC)) == []
