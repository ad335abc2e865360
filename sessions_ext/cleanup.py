"""Deleting old rows in short batches, and journaling what went.

Each batch is its own short transaction that deletes at most
SESSIONS_EXT_CLEANUP_BATCH_SIZE rows chosen by primary key, so a table with
millions of old rows is never locked for long and concurrent requests keep
flowing between batches. Safe to run twice: a second run finds less to do.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.apps import apps
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from sessions_ext import conf
from sessions_ext.models import CleanupRun, Session, UserActivity

logger = logging.getLogger(__name__)


def delete_in_batches(queryset: QuerySet, batch_size: int | None = None) -> int:
    """Delete the rows of ``queryset`` a batch at a time; the number deleted."""
    size = batch_size or conf.get("SESSIONS_EXT_CLEANUP_BATCH_SIZE")
    model = queryset.model
    ids = queryset.order_by().values_list("pk", flat=True)
    total = 0
    while True:
        batch = list(ids[:size])
        if not batch:
            return total
        with transaction.atomic(using=queryset.db):
            _, per_model = model._base_manager.using(queryset.db).filter(pk__in=batch).delete()
        total += per_model.get(model._meta.label, 0)


def _older_than(days: int):
    return timezone.now() - timedelta(days=days)


def expired_sessions() -> dict[str, int]:
    # Cached copies expire with the session (their timeout is its expiry age).
    return {Session._meta.label: delete_in_batches(Session.objects.filter(expire_date__lt=timezone.now()))}


def old_activity() -> dict[str, int]:
    days = conf.get("SESSIONS_EXT_ACTIVITY_RETENTION_DAYS")
    old = UserActivity.objects.filter(timestamp__lt=_older_than(days))
    return {UserActivity._meta.label: delete_in_batches(old)}


def old_rows() -> dict[str, int]:
    """The tables listed in SESSIONS_EXT_CLEANUP_MODELS, each by its date field."""
    removed = {}
    for label, field, days in conf.get("SESSIONS_EXT_CLEANUP_MODELS"):
        model = apps.get_model(label)
        old = model._base_manager.filter(**{f"{field}__lt": _older_than(days)})
        removed[model._meta.label] = delete_in_batches(old)
    return removed


JOBS = {
    "expired_sessions": expired_sessions,
    "old_activity": old_activity,
    "old_rows": old_rows,
}


def run(job: str) -> CleanupRun:
    """Run one cleanup job and record it; a failure is recorded, then raised."""
    record = CleanupRun.objects.create(job=job)
    try:
        record.removed = JOBS[job]()
    except (DatabaseError, LookupError, ValueError) as exc:
        record.error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.exception("cleanup %s failed", job)
        raise
    finally:
        record.finished_at = timezone.now()
        record.save(update_fields=["removed", "error", "finished_at"])
    logger.info("cleanup %s removed %s", job, record.removed)
    return record
