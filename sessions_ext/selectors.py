"""Reads for the session and activity pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sessions_ext.models import Session, UserActivity


@lru_cache(maxsize=2048)
def device_label(agent: str) -> str:
    """"Firefox on Linux" from a User-Agent header (ua-parser's families)."""
    if not agent:
        return "Unknown device"
    from ua_parser import parse

    result = parse(agent)
    browser = result.user_agent.family if result.user_agent else "Unknown browser"
    system = result.os.family if result.os else ""
    return f"{browser} on {system}" if system and system != "Other" else browser


@dataclass(frozen=True)
class SessionRow:
    public_id: str
    device: str
    ip_address: str | None
    created_at: datetime
    last_activity: datetime
    current: bool


def user_session_list(user: Any, current_key: str | None) -> list[SessionRow]:
    """The user's unexpired sessions, this one first, then by last activity."""
    sessions = Session.objects.for_user(user).only(
        "session_key", "created_at", "last_activity", "ip_address", "user_agent"
    )[:200]
    rows = [
        SessionRow(
            public_id=s.public_id,
            device=device_label(s.user_agent),
            ip_address=s.ip_address,
            created_at=s.created_at,
            last_activity=s.last_activity,
            current=s.session_key == current_key,
        )
        for s in sessions
    ]
    return sorted(rows, key=lambda row: not row.current)


def activity_list(
    organization_id: int,
    *,
    user_id: int | None = None,
    action: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[UserActivity]:
    """An organisation's activity, newest first, filtered (sx_activity_org_time_idx)."""
    rows = UserActivity.objects.filter(organization_id=organization_id)
    if user_id:
        rows = rows.filter(user_id=user_id)
    if action:
        rows = rows.filter(action=action)
    tz = timezone.get_current_timezone()
    if since:
        rows = rows.filter(timestamp__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        rows = rows.filter(timestamp__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz))
    return rows.select_related("user").order_by("-timestamp", "-id")
