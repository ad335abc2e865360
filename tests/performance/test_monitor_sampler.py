"""The host monitor: its probes, a broken probe, batched writes, rollups, one monitor per host."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models.query import QuerySet

from performance.models import SystemRollup, SystemSample
from performance.monitor.lock import HostLock
from performance.monitor.processes import role_of
from performance.monitor.rollup import Accumulator, write_closed_minutes
from performance.monitor.sampler import HostMonitor
from performance.monitoring_models import HOUR, MINUTE

from .monitoring_support import minute_ago

pytestmark = pytest.mark.django_db


def test_a_sample_reads_the_host_the_database_the_cache_and_the_broker():
    monitor = HostMonitor(host="test-host")
    monitor.sample()
    sample = monitor.sample()  # the second reading has rates and deltas
    values = sample.values
    assert sample.errors == {}
    assert 0 <= values["cpu_pct"] <= 100 and 0 < values["mem_pct"] < 100
    assert values["mem_total_bytes"] > 0 and "disk_pct./" in values
    assert "net_recv_bytes_s" in values and "db_size_bytes" in values
    assert "celery_queued" in values
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # (The SQLite test database lives in memory: it has no size on disk.)
        assert values["db_size_bytes"] > 0
        assert values["pg_connections"] >= 1 and "pg_cache_hit_ratio" in values
    if settings.REDIS_URL:
        assert values["redis_used_memory_bytes"] > 0 and "cache_hits.scan_results" in values


def test_a_broken_probe_is_named_in_the_sample_and_logged_once(caplog):
    class Broken:
        def read(self):
            raise ConnectionError("redis is away")

    monitor = HostMonitor(host="test-host")
    monitor.probes["redis"] = Broken()
    with caplog.at_level(logging.WARNING, logger="performance.monitor.sampler"):
        samples = [monitor.sample() for _ in range(3)]
    assert all(s.errors == {"redis": "ConnectionError"} for s in samples)
    assert all("cpu_pct" in s.values for s in samples)  # the other probes still count
    assert len([r for r in caplog.records if "redis" in r.getMessage()]) == 1


@pytest.mark.django_db(transaction=True)  # a failed write closes the monitor's connection
def test_samples_are_written_in_one_batch_and_kept_while_the_database_fails(monkeypatch):
    monitor = HostMonitor(host="test-host")
    for _ in range(3):
        monitor.sample()
    real = QuerySet.bulk_create

    def failing(self, *args, **kwargs):
        raise RuntimeError("database away")

    monkeypatch.setattr(QuerySet, "bulk_create", failing)
    assert monitor.write() is False and len(monitor.pending) == 3
    monkeypatch.setattr(QuerySet, "bulk_create", real)
    assert monitor.write() is True
    assert SystemSample.objects.filter(host="test-host").count() == 3 and monitor.pending == []


def test_finished_minutes_become_minute_rows_and_add_up_in_their_hour():
    accumulator = Accumulator()
    first = minute_ago(3).replace(minute=10)  # two minutes of the same hour
    second = first + timedelta(minutes=1)
    for at, cpu in [(first, 10.0), (first + timedelta(seconds=5), 30.0), (second, 50.0)]:
        accumulator.add(at, {"cpu_pct": cpu, "note": "text is ignored", "ratio": None})
    assert write_closed_minutes("h1", accumulator, second + timedelta(minutes=1)) == 2
    minute = SystemRollup.objects.get(resolution=MINUTE, host="h1", bucket=first)
    assert minute.samples == 2 and minute.sums["cpu_pct"] / minute.counts["cpu_pct"] == 20.0
    assert minute.maxima["cpu_pct"] == 30.0 and "note" not in minute.sums
    hour = SystemRollup.objects.get(resolution=HOUR, host="h1")
    assert hour.bucket == first.replace(minute=0)
    assert hour.samples == 3 and hour.sums["cpu_pct"] == 90.0 and hour.maxima["cpu_pct"] == 50.0
    assert accumulator.minutes == {}


def test_one_monitor_per_host(tmp_path):
    path = str(tmp_path / "monitor.lock")
    first, second = HostLock(path), HostLock(path)
    assert first.acquire() is True
    assert second.acquire() is False  # stands by
    first.release()
    assert second.acquire() is True
    second.release()


def test_processes_get_their_role_from_the_command_line():
    roles = settings.PERFORMANCE_MONITOR_PROCESS_ROLES
    assert role_of(["gunicorn", "dataguardian.wsgi", "--workers", "4"], roles) == "web"
    assert role_of(["python", "-m", "celery", "-A", "dataguardian.celery", "worker"], roles) == "worker"
    assert role_of(["celery", "-A", "dataguardian.celery", "beat"], roles) == "beat"
    assert role_of(["python", "manage.py", "monitor"], roles) == "monitor"
    assert role_of(["gunicorn", "otherapp.wsgi"], roles) is None  # another product on the host


def test_the_command_takes_one_sample_and_refuses_odd_options():
    out = io.StringIO()
    call_command("monitor", "--once", stdout=out)
    assert "cpu_pct" in json.loads(out.getvalue())["values"]
    assert SystemSample.objects.count() == 1
    with pytest.raises(CommandError, match="--interval"):
        call_command("monitor", "--interval", "0")
    with pytest.raises(CommandError, match="--iterations"):
        call_command("monitor", "--iterations", "0")
