"""Fixed log-scale latency histograms: record cheaply, merge by adding, estimate percentiles.

A duration of ``us`` microseconds falls in bucket ``floor(log2(us) * 4)``:
four buckets per doubling, so a bucket is 19 % wide and a percentile read
from its geometric middle is within about 9 % of the true value. Bucket 0
holds everything up to 1.19 µs, the last one (``BUCKETS - 1``, from about
18 minutes) everything longer. The bounds never change, so histograms from
any process, minute or host merge by adding their counts.

A histogram is stored sparse, as ``{"<bucket>": count}`` (JSON object keys
are strings); in memory it is a ``dict[int, int]``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

PER_DOUBLING = 4
BUCKETS = 120  # 2 ** (120 / 4) µs ≈ 18 minutes
SCALE = PER_DOUBLING / math.log(2)  # the span recorder inlines bucket() with it


def bucket(seconds: float) -> int:
    """The bucket of a duration in seconds."""
    us = seconds * 1_000_000
    if us <= 1.0:
        return 0
    index = int(math.log(us) * SCALE)
    return index if index < BUCKETS else BUCKETS - 1


def lower_ms(index: int) -> float:
    """Lower bound of bucket ``index`` in milliseconds."""
    return 2 ** (index / PER_DOUBLING) / 1000


def middle_ms(index: int) -> float:
    """The geometric middle of bucket ``index`` in milliseconds: the estimate of its values."""
    return 2 ** ((index + 0.5) / PER_DOUBLING) / 1000


def merge(into: dict[int, int], other: Mapping) -> dict[int, int]:
    """Add ``other`` (int or string keys) into ``into``; return ``into``."""
    for key, count in other.items():
        index = int(key)
        into[index] = into.get(index, 0) + count
    return into


def merged(histograms: Iterable[Mapping]) -> dict[int, int]:
    total: dict[int, int] = {}
    for histogram in histograms:
        merge(total, histogram)
    return total


def percentile(histogram: Mapping, q: float) -> float | None:
    """Estimated ``q`` quantile (0 < q <= 1) in milliseconds; None when empty."""
    counts = sorted((int(k), v) for k, v in histogram.items() if v)
    total = sum(v for _, v in counts)
    if not total:
        return None
    rank = q * total
    seen = 0
    for index, count in counts:
        seen += count
        if seen >= rank:
            return round(middle_ms(index), 3)
    return round(middle_ms(counts[-1][0]), 3)


def percentiles(histogram: Mapping) -> tuple[float | None, float | None, float | None]:
    """(p50, p95, p99) in milliseconds."""
    return percentile(histogram, 0.5), percentile(histogram, 0.95), percentile(histogram, 0.99)


def to_json(histogram: Mapping) -> dict[str, int]:
    return {str(k): v for k, v in sorted(histogram.items(), key=lambda kv: int(kv[0])) if v}
