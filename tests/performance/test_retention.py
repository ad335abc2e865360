"""Retention: raw rows after 24 h, minute rollups and stacks after 14 days, hour rollups after 400 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from performance.models import (
    Bottleneck,
    ProcessSample,
    SpanRollup,
    SpanSample,
    StackRollup,
    StackText,
    SystemRollup,
    SystemSample,
)
from performance.monitoring_models import HOUR, MINUTE
from performance.retention import trim

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def ago(**delta) -> datetime:
    return NOW - timedelta(**delta)


def seed() -> None:
    for at in (ago(hours=23), ago(hours=25), ago(hours=26), ago(hours=27)):
        SpanSample.objects.create(kind="request", name="x", minute=at, host="h", pid=1)
        SystemSample.objects.create(host="h", at=at, values={})
        ProcessSample.objects.create(at=at, host="h", pid=1, role="web")
    for resolution, ages in ((MINUTE, [13, 15]), (HOUR, [399, 401])):
        for days in ages:
            SpanRollup.objects.create(resolution=resolution, kind="request", name="x", bucket=ago(days=days))
            SystemRollup.objects.create(resolution=resolution, host="h", bucket=ago(days=days))
    StackText.objects.create(hash="a" * 32, folded="a;b", last_seen=ago(days=20))
    StackText.objects.create(hash="b" * 32, folded="a;c", last_seen=ago(days=1))
    for days in (3, 15):
        StackRollup.objects.create(resolution=HOUR, kind="request", name="x", bucket=ago(days=days),
                                   stack_hash="b" * 32)
    for status, days in (("resolved", 500), ("open", 500), ("resolved", 10)):
        Bottleneck.objects.create(fingerprint=f"{status[:2]}{days}".ljust(32, "0"), rule="cpu", subject="h",
                                  title="t", severity=2, status=status, recommendation="r",
                                  first_seen=ago(days=days), last_seen=ago(days=days))


@override_settings(PERFORMANCE_RETENTION_BATCH=2)
def test_each_table_keeps_its_retention_deleting_in_batches():
    seed()
    deleted = trim(NOW)
    assert deleted["span samples"] == 3 and deleted["system samples"] == 3 and deleted["process samples"] == 3
    assert SpanSample.objects.get().minute == ago(hours=23)
    assert sorted(SpanRollup.objects.values_list("resolution", "bucket")) == [
        (MINUTE, ago(days=13)), (HOUR, ago(days=399))]
    assert SystemRollup.objects.count() == 2
    assert list(StackText.objects.values_list("hash", flat=True)) == ["b" * 32]
    assert list(StackRollup.objects.values_list("bucket", flat=True)) == [ago(days=3)]
    assert sorted(Bottleneck.objects.values_list("status", flat=True)) == ["open", "resolved"]
    assert set(trim(NOW).values()) == {0}  # safe to run twice


@override_settings(PERFORMANCE_RETENTION_RAW_HOURS=48, PERFORMANCE_RETENTION_MINUTE_DAYS=30)
def test_retention_follows_the_settings():
    seed()
    trim(NOW)
    assert SpanSample.objects.count() == 4
    assert SpanRollup.objects.filter(resolution=MINUTE).count() == 2


def test_the_monitoring_beat_schedules_exist_after_migrate_and_their_tasks_are_known():
    from django_celery_beat.models import PeriodicTask

    import performance.tasks  # noqa: F401 - registers the tasks, as a worker's autodiscovery does
    from dataguardian.celery import app

    schedules = dict(PeriodicTask.objects.filter(task__in=[
        "performance.rollup_spans", "performance.detect_bottlenecks", "performance.trim_monitoring",
    ]).values_list("task", "interval__every"))
    assert schedules == {"performance.rollup_spans": 1, "performance.detect_bottlenecks": 5,
                         "performance.trim_monitoring": 1}
    assert set(schedules) <= set(app.tasks)
