"""Recording what users do: ``record(request_or_user, action, obj=None, **extra)``.

Inside a request the rows are buffered and written by one bulk insert when
the response has been sent (``request_finished``), so recording adds no
query to the request itself. Outside a request (Celery tasks, the shell)
each call writes at once. A failure to write is logged, never raised: the
audit trail must not take the product down with it.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

from sessions_ext import actions, conf
from sessions_ext.client import client_ip
from sessions_ext.models import UserActivity

logger = logging.getLogger(__name__)

_buffer: ContextVar[list[UserActivity] | None] = ContextVar("sessions_ext_activity", default=None)


def organization_for(user: Any, request: HttpRequest | None = None) -> int | None:
    """The user's organisation id through SESSIONS_EXT_ORGANIZATION_RESOLVER, or None."""
    path = conf.get("SESSIONS_EXT_ORGANIZATION_RESOLVER")
    if not path or user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return import_string(path)(user, request=request)
    except (ImportError, DatabaseError):
        logger.warning("organisation resolver %s failed", path, exc_info=True)
        return None


def _describe(obj: Any) -> tuple[str, str]:
    if obj is None:
        return "", ""
    meta = getattr(obj, "_meta", None)
    object_type = meta.label_lower if meta is not None else type(obj).__name__
    return object_type[:100], str(getattr(obj, "pk", "") or "")[:64]


_CURRENT = object()


def build(
    request_or_user: Any, action: str, obj: Any = None, *, user: Any = _CURRENT,
    extra: dict | None = None,
) -> UserActivity:
    """The unsaved row ``record`` would write; ``user`` overrides the request's user."""
    if isinstance(request_or_user, HttpRequest):
        request = request_or_user
        current = getattr(request, "user", None)
    else:
        request, current = None, request_or_user
    if user is _CURRENT:
        user = current
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    organization_id = getattr(obj, "organization_id", None)
    if organization_id is None:
        organization_id = organization_for(user, request)
    object_type, object_id = _describe(obj)
    return UserActivity(
        user=user,
        organization_id=organization_id,
        action=str(action)[:40],
        object_type=object_type,
        object_id=object_id,
        timestamp=timezone.now(),
        ip_address=client_ip(request) if request is not None else None,
        # Through JSON once so dates, decimals and UUIDs are stored as strings.
        extra=json.loads(json.dumps(extra or {}, cls=DjangoJSONEncoder)),
    )


def record(request_or_user: Any, action: str, obj: Any = None, **extra: Any) -> None:
    """Record that a user did ``action`` (on ``obj``), with JSON-serialisable ``extra``.

    ``request_or_user`` is the current request (user, IP and organisation
    come from it) or a user (from tasks). The organisation is taken from
    ``obj.organization_id`` when the object has one, else from the resolver.
    """
    if not actions.is_known(action):
        logger.error("activity %r is not a declared action (SESSIONS_EXT_ACTIONS): "
                     "the activity page cannot filter on it", action)
    try:
        row = build(request_or_user, action, obj, extra=extra)
    except (TypeError, ValueError):
        logger.exception("activity %r not recorded: bad arguments", action)
        return
    enqueue(row)


def enqueue(row: UserActivity) -> None:
    """Buffer ``row`` until the response is sent, or write it now outside a request."""
    pending = _buffer.get()
    if pending is not None:
        pending.append(row)
    else:
        _write([row])


def _write(rows: list[UserActivity]) -> None:
    if not rows:
        return
    try:
        UserActivity.objects.bulk_create(rows)
    except DatabaseError:
        logger.exception("%d activity rows lost: the database refused them", len(rows))


def start_request(**kwargs: Any) -> None:
    """``request_started`` receiver: buffer this request's activity."""
    _buffer.set([])


def finish_request(**kwargs: Any) -> None:
    """``request_finished`` receiver: write the buffered rows in one insert."""
    rows = _buffer.get()
    _buffer.set(None)
    if not rows:
        return
    _write(rows)
    # Django already handed the connection back before this receiver ran;
    # hand it back again (to the pool) rather than hold it between requests.
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


def flush() -> None:
    """Write what is buffered now (for long requests and tests)."""
    rows = _buffer.get()
    if rows:
        _write(list(rows))
        rows.clear()
