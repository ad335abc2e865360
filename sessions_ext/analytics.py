"""Session figures for the dashboard, by indexed queries, cached briefly.

``session_analytics()`` answers::

    {"active_sessions": int,            # unexpired, used in the last 5 minutes
     "active_users": {"5": int, "15": int, "60": int},   # distinct, by minutes
     "peak_concurrent_today": int,
     "average_session_seconds": float,  # sign-in to last activity, sessions used today
     "computed_at": str}

Last activity is recorded at most every SESSIONS_EXT_ACTIVITY_WRITE_INTERVAL
seconds, so the figures are that coarse. The peak is computed from the
session rows still present: a session signed out earlier today no longer
counts, so it is a lower bound.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import caches
from django.db.models import Avg, Count, F
from django.utils import timezone
from django.utils.module_loading import import_string

from sessions_ext import conf
from sessions_ext.models import Session

logger = logging.getLogger(__name__)

ACTIVE_WINDOW = timedelta(minutes=5)
USER_WINDOWS = (5, 15, 60)  # minutes
CACHE_KEY = "sessions_ext.analytics"


def _start_of_day(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def peak_concurrent(intervals: list[tuple[datetime, datetime]], since: datetime) -> int:
    """The most intervals open at one moment after ``since`` (a sweep over start/end events)."""
    events = []
    for start, end in intervals:
        events.append((max(start, since), 1))
        events.append((max(end, since), -1))
    # At equal times a start comes before an end: touching sessions overlap.
    events.sort(key=lambda event: (event[0], -event[1]))
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


def compute(now: datetime | None = None) -> dict[str, Any]:
    """The figures, straight from the database (no cache)."""
    now = now or timezone.now()
    unexpired = Session.objects.filter(expire_date__gt=now)
    active_users = {}
    for minutes in USER_WINDOWS:
        recent = unexpired.filter(last_activity__gte=now - timedelta(minutes=minutes), user__isnull=False)
        active_users[str(minutes)] = recent.aggregate(n=Count("user", distinct=True))["n"]
    day_start = _start_of_day(now)
    today = Session.objects.filter(last_activity__gte=day_start)
    average = today.aggregate(avg=Avg(F("last_activity") - F("created_at")))["avg"]
    intervals = list(today.values_list("created_at", "last_activity")[:200_000])
    return {
        "active_sessions": unexpired.filter(last_activity__gte=now - ACTIVE_WINDOW).count(),
        "active_users": active_users,
        "peak_concurrent_today": peak_concurrent(intervals, day_start),
        "average_session_seconds": round(average.total_seconds(), 1) if average else 0.0,
        "computed_at": now.isoformat(),
    }


def _cache():
    """The cache named by SESSIONS_EXT_ANALYTICS_CACHE, or the default cache."""
    configured = conf.get("SESSIONS_EXT_ANALYTICS_CACHE")
    if configured:
        factory, *args = configured
        try:
            return import_string(factory)(*args)
        except ImportError:
            logger.warning("analytics cache %s unavailable; using the default cache", factory)
    return caches["default"]


def session_analytics() -> dict[str, Any]:
    """The figures, cached for SESSIONS_EXT_ANALYTICS_TTL seconds."""
    ttl = conf.get("SESSIONS_EXT_ANALYTICS_TTL")
    try:
        return _cache().get_or_set(CACHE_KEY, compute, ttl)
    except Exception:  # noqa: BLE001 - a broken cache must not break the dashboard
        logger.warning("analytics cache failed; computing directly", exc_info=True)
        return compute()
