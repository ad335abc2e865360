"""Fixed log-scale latency histograms: record cheaply, merge by adding, estimate percentiles.

A duration of ``us`` microseconds falls in bucket ``floor(log2(us) * 4)``:
four buckets per doubling, so a bucket is 19 % wide and a percentile read
from its geometric middle is within about 9 % of the true value. Bucket 0
holds everything up to 1.19 µs, the last one (``BUCKETS - 1``, from about
18 minutes) everything longer. The bounds never change, so histograms from
any process, minute or host merge by adding their counts.

In memory a histogram is a ``dict[int, int]``. In the database it is packed
(:func:`pack`): per non-empty bucket, its index in one byte and its count as
a LEB128 varint — about 2 to 4 bytes a bucket, where a JSON object took over
20 (docs/PERFORMANCE.md, "Monitoring storage"). Exports show it as
``{"<bucket>": count}`` (:func:`to_json`).
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


def pack(histogram: Mapping) -> bytes:
    """``{bucket: count}`` as bytes: (index byte, varint count) per non-empty bucket, by index."""
    out = bytearray()
    for index, count in sorted((int(k), v) for k, v in histogram.items() if v):
        out.append(index)
        while count >= 0x80:
            out.append(count & 0x7F | 0x80)
            count >>= 7
        out.append(count)
    return bytes(out)


def unpack(data: bytes | memoryview | None) -> dict[int, int]:
    """The inverse of :func:`pack`."""
    histogram: dict[int, int] = {}
    data = bytes(data or b"")
    position, end = 0, len(data)
    while position < end:
        index = data[position]
        count = shift = 0
        while True:
            position += 1
            byte = data[position]
            count |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        position += 1
        histogram[index] = histogram.get(index, 0) + count
    return histogram


def to_json(histogram: Mapping) -> dict[str, int]:
    return {str(k): v for k, v in sorted(histogram.items(), key=lambda kv: int(kv[0])) if v}
