"""1-minute and 1-hour rollups of a host's samples, kept by the host's monitor (their only writer).

:class:`Accumulator` adds samples per (resolution, bucket) in memory: for each
numeric figure its sum, count and maximum, so rollups merge by adding (and
taking the larger maximum). When a minute is over, the monitor writes its
rollup and merges the same figures into the hour's row (read, add, write,
under a row lock), so the hour row is current within a minute or two and a
restarted monitor loses at most its unfinished minute.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from performance.monitoring_models import HOUR, MINUTE, SystemRollup


class Figures:
    __slots__ = ("samples", "sums", "counts", "maxima")

    def __init__(self) -> None:
        self.samples = 0
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.maxima: dict[str, float] = {}

    def add_values(self, values: dict) -> None:
        self.samples += 1
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            self.sums[name] = self.sums.get(name, 0) + value
            self.counts[name] = self.counts.get(name, 0) + 1
            if name not in self.maxima or value > self.maxima[name]:
                self.maxima[name] = value

    def add(self, other: Figures) -> None:
        self.samples += other.samples
        for name, value in other.sums.items():
            self.sums[name] = self.sums.get(name, 0) + value
            self.counts[name] = self.counts.get(name, 0) + other.counts.get(name, 0)
        for name, value in other.maxima.items():
            if name not in self.maxima or value > self.maxima[name]:
                self.maxima[name] = value


def bucket_of(at: datetime, resolution: int) -> datetime:
    start = at.replace(second=0, microsecond=0)
    return start.replace(minute=0) if resolution == HOUR else start


class Accumulator:
    """Minutes not yet written, per minute bucket."""

    def __init__(self) -> None:
        self.minutes: dict[datetime, Figures] = {}

    def add(self, at: datetime, values: dict) -> None:
        self.minutes.setdefault(bucket_of(at, MINUTE), Figures()).add_values(values)

    def closed(self, now: datetime) -> list[tuple[datetime, Figures]]:
        """Minutes that are over, oldest first (still held until :meth:`forget`)."""
        return sorted((b, f) for b, f in self.minutes.items() if b + timedelta(seconds=MINUTE) <= now)

    def forget(self, buckets) -> None:
        for bucket in buckets:
            self.minutes.pop(bucket, None)


def merge_into(host: str, resolution: int, bucket: datetime, figures: Figures,
               using: str = "default") -> None:
    """Add ``figures`` into the (resolution, host, bucket) row, creating it if needed."""
    with transaction.atomic(using=using):
        row = (SystemRollup.objects.using(using).select_for_update()
               .filter(resolution=resolution, host=host, bucket=bucket).first())
        if row is None:
            SystemRollup.objects.using(using).create(
                resolution=resolution, host=host, bucket=bucket, samples=figures.samples,
                sums=figures.sums, counts=figures.counts, maxima=figures.maxima)
            return
        stored = Figures()
        for name in Figures.__slots__:
            setattr(stored, name, getattr(row, name))
        stored.add(figures)
        for name in Figures.__slots__:
            setattr(row, name, getattr(stored, name))
        row.save(update_fields=["samples", "sums", "counts", "maxima"])


def write_closed_minutes(host: str, accumulator: Accumulator, now: datetime, using: str = "default") -> int:
    """Write every finished minute and merge it into its hour; return how many minutes."""
    closed = accumulator.closed(now)
    for bucket, figures in closed:
        merge_into(host, MINUTE, bucket, figures, using)
        merge_into(host, HOUR, bucket_of(bucket, HOUR), figures, using)
    accumulator.forget(b for b, _ in closed)
    return len(closed)
