"""Reads of what monitoring recorded, for the dashboard, the rules and the export.

Every read is a time range ``[start, end)`` over the rollups, at a
resolution chosen so a chart gets a bounded number of rows (:func:`resolution_for`):
1-minute rows up to 6 hours, 1-hour rows beyond. Figures of several rows are
merged the way rollups merge: sums added, maxima kept, histograms added
bucket by bucket, percentiles estimated from the merged histogram.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from performance.monitoring_models import (
    HOUR,
    MINUTE,
    Bottleneck,
    ProcessSample,
    SpanRollup,
    StackRollup,
    StackText,
    SystemRollup,
    SystemSample,
)
from performance.profiling import histogram

MINUTE_RANGE_LIMIT = timedelta(hours=6)
SUMS = ("count", "errors", "total_ms", "db_ms", "queries", "cache_calls", "cache_ms")


def resolution_for(start: datetime, end: datetime) -> int:
    """MINUTE for ranges up to 6 hours (at most 360 rows a series), HOUR beyond."""
    return MINUTE if end - start <= MINUTE_RANGE_LIMIT else HOUR


def _figures(rows) -> dict[str, Any]:
    """Merge span rows (dicts) into one set of figures with percentiles and shares."""
    total = dict.fromkeys(SUMS, 0)
    total["max_ms"] = 0.0
    merged: dict[int, int] = {}
    for row in rows:
        for name in SUMS:
            total[name] += row[name]
        total["max_ms"] = max(total["max_ms"], row["max_ms"])
        histogram.merge(merged, histogram.unpack(row["histogram"]))
    total["p50_ms"], total["p95_ms"], total["p99_ms"] = histogram.percentiles(merged)
    count, spent = total["count"], total["total_ms"]
    total["mean_ms"] = round(spent / count, 3) if count else None
    total["error_rate"] = round(total["errors"] / count, 4) if count else None
    total["db_share"] = round(total["db_ms"] / spent, 4) if spent else None
    total["cache_share"] = round(total["cache_ms"] / spent, 4) if spent else None
    total["histogram"] = histogram.to_json(merged)
    return total


def _span_rows(start: datetime, end: datetime, resolution: int, **filters):
    return (SpanRollup.objects.filter(resolution=resolution, bucket__gte=start, bucket__lt=end, **filters)
            .values("kind", "name", "bucket", "max_ms", "histogram", *SUMS))


def span_summary(kind: str, name: str, start: datetime, end: datetime,
                 resolution: int | None = None) -> dict[str, Any]:
    """One route's or task's figures over the range, merged."""
    resolution = resolution or resolution_for(start, end)
    return _figures(_span_rows(start, end, resolution, kind=kind, name=name))


def span_series(kind: str, name: str, start: datetime, end: datetime,
                resolution: int | None = None) -> list[dict[str, Any]]:
    """One route's or task's figures per bucket: ``[{bucket, count, p95_ms, db_share, ...}]``."""
    resolution = resolution or resolution_for(start, end)
    rows = _span_rows(start, end, resolution, kind=kind, name=name).order_by("bucket")
    return [{"bucket": row["bucket"], **_figures([row])} for row in rows]


def span_table(start: datetime, end: datetime, kind: str | None = None) -> list[dict[str, Any]]:
    """Every route/task seen in the range with its merged figures, most total time first."""
    filters = {"kind": kind} if kind else {}
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for row in _span_rows(start, end, resolution_for(start, end), **filters):
        groups[(row["kind"], row["name"])].append(row)
    table = [{"kind": k, "name": n, **_figures(rows)} for (k, n), rows in groups.items()]
    return sorted(table, key=lambda row: row["total_ms"], reverse=True)


def flame(kind: str, name: str, start: datetime, end: datetime, limit: int = 200) -> list[tuple[str, int]]:
    """The folded stacks sampled inside one route's or task's spans in the hours the range touches:
    ``[(a;b;c, count)]``, largest first (stacks are kept per hour)."""
    counts: dict[str, int] = defaultdict(int)
    rows = StackRollup.objects.filter(resolution=HOUR, kind=kind, name=name, bucket__gte=_hour(start),
                                      bucket__lt=end).values_list("stack_hash", "count")
    for stack_hash, count in rows:
        counts[stack_hash] += count
    top = sorted(counts.items(), key=lambda item: item[1], reverse=True)[:limit]
    texts = dict(StackText.objects.filter(hash__in=[h for h, _ in top]).values_list("hash", "folded"))
    return [(texts.get(h, "(unknown)"), n) for h, n in top]


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def system_series(host: str, names: list[str], start: datetime, end: datetime,
                  resolution: int | None = None) -> list[dict[str, Any]]:
    """A host's figures per bucket: ``[{bucket, mean: {name: v}, max: {name: v}}]``."""
    resolution = resolution or resolution_for(start, end)
    rows = (SystemRollup.objects.filter(resolution=resolution, host=host, bucket__gte=start, bucket__lt=end)
            .order_by("bucket").values("bucket", "sums", "counts", "maxima"))
    series = []
    for row in rows:
        means = {n: row["sums"][n] / row["counts"][n] for n in names if row["counts"].get(n)}
        series.append({"bucket": row["bucket"], "mean": means,
                       "max": {n: row["maxima"][n] for n in names if n in row["maxima"]}})
    return series


def hosts(start: datetime, end: datetime) -> list[str]:
    return sorted(SystemRollup.objects.filter(bucket__gte=start, bucket__lt=end)
                  .values_list("host", flat=True).distinct())


def latest_system(host: str) -> SystemSample | None:
    return SystemSample.objects.filter(host=host).order_by("-at").first()


def system_samples(start: datetime, end: datetime, host: str | None = None):
    """Raw samples (24 h kept), oldest first."""
    rows = SystemSample.objects.filter(at__gte=start, at__lt=end)
    return (rows.filter(host=host) if host else rows).order_by("at")


def process_samples(start: datetime, end: datetime, host: str | None = None):
    rows = ProcessSample.objects.filter(at__gte=start, at__lt=end)
    return (rows.filter(host=host) if host else rows).order_by("at")


def bottlenecks(status: str | None = None):
    rows = Bottleneck.objects.all()
    return (rows.filter(status=status) if status else rows).order_by("-severity", "-last_seen")
