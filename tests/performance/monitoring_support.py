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
    for (k, n, _), stats in recorder.snapshot().items():
        if (k, n) == (kind, name):
            total.add(stats)
    return total


def span_rollup(kind: str, name: str, bucket: datetime, durations_ms: list[float], resolution: int = 60):
    """A rollup row holding these durations (histogram, sums and percentiles as beat would store them)."""
    from performance.models import SpanRollup
    from performance.profiling import histogram

    counts: dict[int, int] = {}
    for ms in durations_ms:
        index = histogram.bucket(ms / 1000)
        counts[index] = counts.get(index, 0) + 1
    p50, p95, p99 = histogram.percentiles(counts)
    return SpanRollup.objects.create(
        resolution=resolution, kind=kind, name=name, bucket=bucket, count=len(durations_ms),
        total_ms=sum(durations_ms), max_ms=max(durations_ms), histogram=histogram.pack(counts),
        p50_ms=p50, p95_ms=p95, p99_ms=p99,
    )


def system_samples(host: str, end: datetime, minutes: float, values, every_s: int = 5,
                   processes: list | None = None) -> None:
    """Samples every ``every_s`` seconds over the ``minutes`` before ``end``; ``values(i)`` or a dict."""
    from performance.models import SystemSample

    count = int(minutes * 60 // every_s) + 1
    SystemSample.objects.bulk_create([
        SystemSample(host=host, at=end - timedelta(seconds=every_s * (count - 1 - i)),
                     values=values(i) if callable(values) else values, processes=processes or [])
        for i in range(count)
    ])


def stack(name: str, folded: str, count: int, bucket: datetime, kind: str = "request") -> None:
    from performance.models import StackRollup, StackText
    from performance.profiling.store import stack_hash

    digest = stack_hash(folded)
    StackText.objects.get_or_create(hash=digest, defaults={"folded": folded, "last_seen": bucket})
    StackRollup.objects.create(resolution=3600, kind=kind, name=name, bucket=bucket, stack_hash=digest,
                               count=count)
