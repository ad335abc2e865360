"""Default values of the SESSIONS_EXT_* settings, in one place.

Read through ``get(name)`` at the moment they are needed (never frozen at
import time), so ``override_settings`` in tests and runtime changes apply.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Seconds between two writes of an unchanged session just to refresh its
    # last-activity time. A read-only request within this window writes nothing.
    "SESSIONS_EXT_ACTIVITY_WRITE_INTERVAL": 60,
    # Keep only the network part of the client address: IPv4 /24, IPv6 /48.
    "SESSIONS_EXT_TRUNCATE_IP": False,
    # The header carrying the client address when behind a trusted proxy
    # (e.g. "HTTP_X_FORWARDED_FOR"); empty means REMOTE_ADDR.
    "SESSIONS_EXT_CLIENT_IP_HEADER": "",
    # Sessions one user may hold at once; 0 means no limit. The oldest end first.
    "SESSIONS_EXT_MAX_SESSIONS_PER_USER": 0,
    # Dotted path of ``f(user, request=None) -> int | None``: the user's organisation id.
    "SESSIONS_EXT_ORGANIZATION_RESOLVER": "",
    # Dotted path of an iterable of (value, label) pairs (a TextChoices class): the actions the
    # project records, besides this app's own. The activity filter lists exactly these.
    "SESSIONS_EXT_ACTIONS": "",
    # Dotted path of ``f(user, organization_id) -> bool``: may see that organisation's activity.
    "SESSIONS_EXT_ORGANIZATION_ADMIN_CHECK": "",
    # Days of activity kept by the cleanup task.
    "SESSIONS_EXT_ACTIVITY_RETENTION_DAYS": 365,
    # Other tables the cleanup task trims: (model label, date field, max age in days).
    "SESSIONS_EXT_CLEANUP_MODELS": [],
    # Rows deleted per statement by the cleanup tasks (short transactions, short locks).
    "SESSIONS_EXT_CLEANUP_BATCH_SIZE": 5000,
    # Where analytics are cached: a dotted path of a factory and its argument,
    # e.g. ("performance.cache.namespace", "performance"); empty uses the default cache.
    "SESSIONS_EXT_ANALYTICS_CACHE": (),
    # Seconds the dashboard analytics stay cached.
    "SESSIONS_EXT_ANALYTICS_TTL": 30,
}


def get(name: str) -> Any:
    """The value of setting ``name``, or its default."""
    return getattr(settings, name, DEFAULTS[name])
