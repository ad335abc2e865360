"""Spans from requests, tasks and functions arrive in the 1-minute and 1-hour rollups."""

from __future__ import annotations

from datetime import datetime

import pytest
from celery import shared_task
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from performance.models import SpanRollup, SpanSample
from performance.monitoring_models import HOUR, MINUTE
from performance.profiling import flusher, histogram, profiled
from performance.profiling.rollup import rollup_spans
from performance.profiling.spans import SpanRecorder, SpanStats

from .monitoring_support import clean_spans, minute_ago  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_spans")]


def page(request):
    return HttpResponse("page")


urlpatterns = [path("page/", page, name="page")]


@shared_task(name="tests.performance.rollup_task")
def rollup_task() -> int:
    return 1


@profiled(name="tests.rollup_function")
def function() -> int:
    return 1


@override_settings(ROOT_URLCONF=__name__)
def test_requests_tasks_and_functions_reach_both_rollups(client):
    client.get("/page/")
    client.get("/page/")
    rollup_task.apply()
    function()
    assert flusher.flush() is True
    assert SpanSample.objects.count() == 3
    assert rollup_spans() == 3
    for kind, name, count in [("request", "page", 2), ("task", "tests.performance.rollup_task", 1),
                              ("function", "tests.rollup_function", 1)]:
        for resolution in (MINUTE, HOUR):
            row = SpanRollup.objects.get(resolution=resolution, kind=kind, name=name)
            assert row.count == count and row.p95_ms is not None
    assert not SpanSample.objects.filter(rolled=False).exists()
    assert rollup_spans() == 0  # safe to run twice: nothing is added again


def write_raw(pid: int, durations: list[float], minute: datetime) -> None:
    recorder = SpanRecorder()
    for seconds in durations:
        recorder.record("request", "scans:detail", seconds, error=seconds > 1)
    table, _ = recorder.take()
    (stats,) = table.values()
    from performance.profiling.store import span_rows

    row = span_rows({("request", "scans:detail", int(minute.timestamp() // 60)): stats}, "host-a", pid)[0]
    row.save()


def test_processes_merge_by_adding_their_histograms_even_when_late():
    minute = minute_ago(3)
    write_raw(1, [0.010] * 90, minute)
    write_raw(2, [0.200] * 9 + [2.0], minute)
    rollup_spans()
    write_raw(3, [0.010] * 100, minute)  # a process that flushed after the rollup ran
    rollup_spans()
    row = SpanRollup.objects.get(resolution=MINUTE, name="scans:detail", bucket=minute)
    assert row.count == 200 and row.errors == 1
    assert row.max_ms == pytest.approx(2000)
    assert sum(histogram.unpack(row.histogram).values()) == 200
    assert row.p50_ms == pytest.approx(10, rel=0.1)
    assert row.p99_ms == pytest.approx(200, rel=0.1)
    hour = SpanRollup.objects.get(resolution=HOUR, name="scans:detail")
    assert hour.bucket == minute.replace(minute=0) and hour.count == 200


def test_span_stats_add_like_the_rollups():
    a, b = SpanStats(), SpanStats()
    a.count, a.histogram = 2, {histogram.bucket(0.01): 2}
    b.count, b.histogram, b.max_s = 1, {histogram.bucket(0.01): 1}, 0.5
    a.add(b)
    assert a.count == 3 and a.max_s == 0.5 and a.histogram == {histogram.bucket(0.01): 3}
