"""Cleanup deletes exactly what is old, in batches, and journals it; beat schedules exist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from sessions_ext import cleanup, tasks
from sessions_ext.models import CleanupRun, Session, UserActivity

pytestmark = pytest.mark.django_db


def make_sessions(n: int, expire_date) -> list[str]:
    rows = [Session(session_key=f"{expire_date:%H%M%S}{i:020d}"[:40], session_data="x",
                    expire_date=expire_date) for i in range(n)]
    Session.objects.bulk_create(rows)
    return [row.session_key for row in rows]


@pytest.mark.postgres
def test_expired_sessions_are_deleted_exactly(settings):
    settings.SESSIONS_EXT_CLEANUP_BATCH_SIZE = 7  # several batches
    now = timezone.now()
    expired = make_sessions(23, now - timedelta(seconds=1))
    alive = make_sessions(5, now + timedelta(hours=1))

    removed = tasks.clear_expired_sessions()

    assert removed == {"sessions_ext.Session": 23}
    assert set(Session.objects.values_list("session_key", flat=True)) == set(alive)
    assert not Session.objects.filter(session_key__in=expired).exists()
    run = CleanupRun.objects.get(job="expired_sessions")
    assert run.removed == {"sessions_ext.Session": 23} and run.finished_at and not run.error
    assert tasks.clear_expired_sessions() == {"sessions_ext.Session": 0}  # safe to run twice


@pytest.mark.postgres
def test_old_activity_past_retention(settings, user):
    settings.SESSIONS_EXT_ACTIVITY_RETENTION_DAYS = 30
    now = timezone.now()
    old = [UserActivity(user=user, action="x", timestamp=now - timedelta(days=31)) for _ in range(4)]
    kept = [UserActivity(user=user, action="y", timestamp=now - timedelta(days=29)) for _ in range(3)]
    UserActivity.objects.bulk_create(old + kept)
    assert tasks.clear_old_activity() == {"sessions_ext.UserActivity": 4}
    assert list(UserActivity.objects.values_list("action", flat=True).distinct()) == ["y"]


@pytest.mark.postgres
def test_registered_models_are_trimmed_by_their_date_field(settings):
    settings.SESSIONS_EXT_CLEANUP_MODELS = [("sessions_ext.CleanupRun", "started_at", 10)]
    now = timezone.now()
    CleanupRun.objects.bulk_create(
        [CleanupRun(job="old", started_at=now - timedelta(days=11)) for _ in range(3)]
        + [CleanupRun(job="new", started_at=now - timedelta(days=9))]
    )
    assert tasks.clear_old_rows() == {"sessions_ext.CleanupRun": 3}
    assert set(CleanupRun.objects.values_list("job", flat=True)) == {"new", "old_rows"}


def test_a_failed_run_is_journaled(settings):
    settings.SESSIONS_EXT_CLEANUP_MODELS = [("nosuch.Model", "created_at", 1)]
    with pytest.raises(LookupError):
        cleanup.run("old_rows")
    assert "LookupError" in CleanupRun.objects.get(job="old_rows").error


def test_beat_schedules_exist_after_migrate():
    tasks_by_name = dict(PeriodicTask.objects.filter(name__startswith="sessions_ext:")
                         .values_list("task", "crontab__hour"))
    assert tasks_by_name == {
        "sessions_ext.clear_expired_sessions": "*",
        "sessions_ext.clear_old_activity": "3",
        "sessions_ext.clear_old_rows": "3",
    }
