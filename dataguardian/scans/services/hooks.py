"""Calls into optional neighbours (activity log, cache invalidation).

They are written by other parts of the product; a scan must never fail
because one of them is missing or its server (Redis) is down.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def record_activity(user: Any, action: str, obj: Any = None, **extra: Any) -> None:
    try:
        from sessions_ext.activity import record
    except ImportError:
        return
    try:
        record(user, action, obj=obj, **extra)
    except Exception:  # noqa: BLE001 - the activity log is never worth a failed scan
        logger.warning("could not record activity %s", action, exc_info=True)


def _cache_hook(name: str, *args: Any) -> None:
    try:
        from dataguardian import cache_keys
    except ImportError:
        return
    hook = getattr(cache_keys, name, None)
    if hook is None:
        return
    try:
        hook(*args)
    except Exception:  # noqa: BLE001 - a cache outage degrades pages, never a scan
        logger.warning("cache hook %s failed", name, exc_info=True)


def findings_written(scan: Any) -> None:
    """After a chunk's findings are committed: progress and counts moved."""
    _cache_hook("findings_batch_written", scan)


def scan_changed(scan: Any) -> None:
    """After a scan's status changed (started, cancelled, completed, failed)."""
    _cache_hook("scan_changed", scan)
