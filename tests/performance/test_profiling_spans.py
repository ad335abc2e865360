"""The span recorder: one table per thread, merged when taken; finished minutes go first; bounded."""

from __future__ import annotations

import threading

import pytest
from django.test import override_settings

from performance.profiling import spans
from performance.profiling.spans import SpanRecorder


@pytest.fixture
def clock(monkeypatch):
    """The recorder's clock, in seconds, moved by the test."""
    now = {"t": 1_000_000 * 60.0}
    monkeypatch.setattr(spans, "time", lambda: now["t"])
    return now


def test_threads_record_apart_and_are_merged_when_taken(clock):
    recorder = SpanRecorder()

    def work():
        for _ in range(100):
            recorder.record("request", "scans:detail", 0.01, queries=2, db_s=0.002)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken, dropped = recorder.take()
    (stats,) = taken.values()
    assert next(iter(taken)) == ("request", "scans:detail", 1_000_000)
    assert stats.count == 400 and stats.queries == 800 and dropped == 0
    assert sum(stats.histogram.values()) == 400
    assert recorder.tables == []  # the finished threads' tables are let go


def test_the_flusher_takes_finished_minutes_only(clock):
    recorder = SpanRecorder()
    recorder.record("task", "t", 0.5)
    assert recorder.take(everything=False) == ({}, 0)  # the minute is not over
    clock["t"] += 60
    recorder.record("task", "t", 0.25)
    taken, _ = recorder.take(everything=False)
    assert [(key[2], s.count) for key, s in taken.items()] == [(1_000_000, 1)]
    clock["t"] += 60  # an idle thread: its current minute is over too
    taken, _ = recorder.take(everything=False)
    assert [(key[2], s.count) for key, s in taken.items()] == [(1_000_001, 1)]


@override_settings(PERFORMANCE_SPAN_MAX_KEYS=2)
def test_a_thread_keeps_a_bounded_number_of_names_a_minute(clock):
    recorder = SpanRecorder()
    recorder.take()  # reads the bound
    for name in ("a", "b", "c", "c"):
        recorder.record("function", name, 0.001)
    taken, dropped = recorder.take()
    assert {key[1] for key in taken} == {"a", "b"} and dropped == 2


def test_a_failed_write_is_put_back_and_taken_again(clock):
    recorder = SpanRecorder()
    recorder.record("request", "r", 0.1)
    taken, _ = recorder.take()
    recorder.put_back(taken)
    recorder.record("request", "r", 0.2)
    again, _ = recorder.take()
    assert again[("request", "r", 1_000_000)].count == 2
