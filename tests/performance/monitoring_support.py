"""Shared helpers of the monitoring tests: a clean span recorder and sampler, minutes in the past."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from performance.profiling.sampler import sampler
from performance.profiling.spans import active, recorder


@pytest.fixture
def clean_spans():
    """An empty span table, stack table and active-thread map before and after the test."""
    recorder.reset()
    sampler.take()
    active.clear()
    yield recorder
    recorder.reset()
    sampler.take()
    active.clear()


def minute_ago(minutes: float = 0, now: datetime | None = None) -> datetime:
    """The start of the minute ``minutes`` before now (UTC)."""
    moment = (now or datetime.now(tz=UTC)) - timedelta(minutes=minutes)
    return moment.replace(second=0, microsecond=0)


def stats_of(kind: str, name: str):
    """The recorder's figures for (kind, name), all minutes added up, without taking them."""
    from performance.profiling.spans import SpanStats

    total = SpanStats()
    for (k, n, _), stats in recorder.table.items():
        if (k, n) == (kind, name):
            total.add(stats)
    return total
