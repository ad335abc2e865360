"""The flusher: a monitoring fault never fails the process, is logged once, and loses nothing."""

from __future__ import annotations

import errno
import logging
import time

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from performance import metrics
from performance.models import ProcessSample, SpanSample
from performance.profiling import flusher, profiled, runtime, store
from performance.profiling.process import ProcessFigures
from performance.profiling.sampler import sampler

from .monitoring_support import clean_spans  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_spans")]


@profiled(name="tests.flushed")
def work() -> None:
    pass


def page(request):
    work()
    return HttpResponse("ok")


urlpatterns = [path("page/", page, name="page")]


def test_a_failing_write_is_logged_once_and_the_figures_wait_for_the_next(monkeypatch, caplog):
    real = store.write

    def database_gone(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(store, "write", database_gone)
    with caplog.at_level(logging.INFO, logger="performance.profiling.flusher"):
        for _ in range(3):
            work()
            assert flusher.flush() is False
        monkeypatch.setattr(store, "write", real)
        work()
        assert flusher.flush() is True
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "OperationalError" in warnings[0].getMessage()
    assert any("works again after 3 failed tries" in r.getMessage() for r in caplog.records)
    assert sum(SpanSample.objects.filter(name="tests.flushed").values_list("count", flat=True)) == 4


def test_a_process_sample_holds_the_process_and_its_pool():
    figures = ProcessFigures("web")
    work()
    assert flusher.flush(figures) is True
    sample = ProcessSample.objects.get()
    assert sample.role == "web" and sample.rss_bytes > 0 and sample.cpu_pct >= 0
    from django.db import connection

    if connection.vendor == "postgresql":
        assert sample.pool_max >= 1 and sample.pool_requests is not None


@override_settings(ROOT_URLCONF=__name__)
def test_full_metrics_files_never_fail_a_request(client, monkeypatch, caplog):
    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(metrics, "observe_request", disk_full)
    with caplog.at_level(logging.WARNING, logger="performance.profiling.requests"):
        assert client.get("/page/").status_code == 200
        assert client.get("/page/").status_code == 200
    assert len([r for r in caplog.records if "No space left" in r.getMessage()]) == 1


def test_a_broken_sample_is_logged_once_and_the_sampler_goes_on(monkeypatch, caplog):
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("a frame vanished")

    monkeypatch.setattr(sampler, "sample_once", broken)
    with caplog.at_level(logging.WARNING, logger="performance.profiling.sampler"):
        sampler.start()
        try:
            deadline = time.monotonic() + 10
            while len(calls) < 5 and time.monotonic() < deadline:
                time.sleep(0.01)
        finally:
            sampler.stop()
    assert len(calls) >= 5
    assert len([r for r in caplog.records if "sample failed" in r.getMessage()]) == 1


def test_threads_start_once_per_process_and_only_when_asked():
    assert runtime.start("web") is False  # PERFORMANCE_BACKGROUND_THREADS is off under pytest
    with override_settings(PERFORMANCE_BACKGROUND_THREADS=True, PERFORMANCE_FLUSH_INTERVAL=60):
        try:
            assert runtime.start("web") is True
            assert runtime.start("web") is False
            assert runtime.running()
        finally:
            runtime.stop(final_flush=False)
    assert not runtime.running()
