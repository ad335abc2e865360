"""Trim what monitoring keeps, in batches (a beat task): raw 24 h, 1-minute 14 days, 1-hour 400 days.

Each table is trimmed by primary key, PERFORMANCE_RETENTION_BATCH rows per
DELETE, each its own short transaction, through the index on its time
column. Stack texts go once no stack row kept needs them (they are older
than the longest stack retention); resolved bottlenecks when not seen for
the hour-rollup retention.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db.models import Q

from performance import conf
from performance.monitoring_models import (
    HOUR,
    MINUTE,
    Bottleneck,
    ProcessSample,
    SpanRollup,
    SpanSample,
    StackRollup,
    StackText,
    SystemRollup,
    SystemSample,
)


def _rules(now: datetime) -> list[tuple[str, type, str, datetime, Q]]:
    raw = now - timedelta(hours=conf.get("PERFORMANCE_RETENTION_RAW_HOURS"))
    minute = now - timedelta(days=conf.get("PERFORMANCE_RETENTION_MINUTE_DAYS"))
    hour = now - timedelta(days=conf.get("PERFORMANCE_RETENTION_HOUR_DAYS"))
    return [
        ("span samples", SpanSample, "minute", raw, Q()),
        ("process samples", ProcessSample, "at", raw, Q()),
        ("system samples", SystemSample, "at", raw, Q()),
        ("span rollups (minute)", SpanRollup, "bucket", minute, Q(resolution=MINUTE)),
        ("span rollups (hour)", SpanRollup, "bucket", hour, Q(resolution=HOUR)),
        ("system rollups (minute)", SystemRollup, "bucket", minute, Q(resolution=MINUTE)),
        ("system rollups (hour)", SystemRollup, "bucket", hour, Q(resolution=HOUR)),
        # Stacks are kept per hour, as long as the minute rollups.
        ("stack rollups", StackRollup, "bucket", minute, Q()),
        ("stack texts", StackText, "last_seen", minute, Q()),
        ("resolved bottlenecks", Bottleneck, "last_seen", hour, Q(status=Bottleneck.Status.RESOLVED)),
    ]


def trim(now: datetime | None = None, using: str = "default") -> dict[str, int]:
    """Delete what is past its retention; return rows deleted per table."""
    now = now or datetime.now(tz=UTC)
    batch = conf.get("PERFORMANCE_RETENTION_BATCH")
    deleted = {}
    for label, model, field, cutoff, condition in _rules(now):
        total = 0
        old = model.objects.using(using).filter(condition, **{f"{field}__lt": cutoff})
        while True:
            keys = list(old.values_list("pk", flat=True)[:batch])
            if not keys:
                break
            total += model.objects.using(using).filter(pk__in=keys).delete()[0]
            if len(keys) < batch:
                break
        deleted[label] = total
    return deleted
