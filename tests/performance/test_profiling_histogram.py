"""Fixed log-scale histograms: buckets, merging by adding, percentile estimates."""

from __future__ import annotations

import random

from performance.profiling import histogram


def test_buckets_grow_with_the_duration_and_are_clamped():
    indexes = [histogram.bucket(s) for s in (0, 1e-7, 1e-5, 1e-3, 0.1, 10, 1e9)]
    assert indexes == sorted(indexes)
    assert indexes[0] == indexes[1] == 0
    assert indexes[-1] == histogram.BUCKETS - 1


def test_a_duration_falls_between_its_buckets_bounds():
    for seconds in (0.00042, 0.0123, 0.5, 3.3):
        index = histogram.bucket(seconds)
        assert histogram.lower_ms(index) <= seconds * 1000 < histogram.lower_ms(index + 1)


def test_merging_adds_counts_and_accepts_string_keys():
    merged = histogram.merge({3: 1, 5: 2}, {"5": 3, "7": 1})
    assert merged == {3: 1, 5: 5, 7: 1}
    assert histogram.to_json(merged) == {"3": 1, "5": 5, "7": 1}


def test_percentiles_are_within_the_bucket_width_of_the_truth():
    rng = random.Random(7)
    values = [rng.lognormvariate(-4, 1) for _ in range(20_000)]  # seconds, median about 18 ms
    counts: dict[int, int] = {}
    for value in values:
        index = histogram.bucket(value)
        counts[index] = counts.get(index, 0) + 1
    values.sort()
    for q in (0.5, 0.95, 0.99):
        true_ms = values[int(q * len(values)) - 1] * 1000
        estimate = histogram.percentile(counts, q)
        assert abs(estimate - true_ms) / true_ms < 0.12


def test_packing_keeps_every_count_in_a_few_bytes_a_bucket():
    counts = {0: 1, 7: 127, 40: 128, 41: 300_000, 119: 2**40}
    packed = histogram.pack(counts)
    assert histogram.unpack(packed) == counts
    assert histogram.unpack(memoryview(packed)) == counts  # as PostgreSQL may hand it back
    assert len(packed) == 2 + 2 + 3 + 4 + 7
    assert histogram.pack({}) == b"" and histogram.unpack(None) == {}


def test_an_empty_histogram_has_no_percentiles():
    assert histogram.percentiles({}) == (None, None, None)
