"""Celery tasks run by beat (schedules: migrations/0002_beat_schedules.py).

Thin: each calls ``cleanup.run``. Deleting what is old is safe to repeat,
so a task lost with its worker is delivered again (acks_late).
"""

from __future__ import annotations

from celery import shared_task

from sessions_ext import cleanup

_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="sessions_ext.clear_expired_sessions", **_OPTIONS)
def clear_expired_sessions() -> dict[str, int]:
    return cleanup.run("expired_sessions").removed


@shared_task(name="sessions_ext.clear_old_activity", **_OPTIONS)
def clear_old_activity() -> dict[str, int]:
    return cleanup.run("old_activity").removed


@shared_task(name="sessions_ext.clear_old_rows", **_OPTIONS)
def clear_old_rows() -> dict[str, int]:
    return cleanup.run("old_rows").removed
