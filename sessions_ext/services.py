"""Writes on sessions: ending them, rotating their keys, limiting their number.

Every ending goes through the configured engine's ``SessionStore.delete``,
so the cached copy goes with the row.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.backends.base import UpdateError
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from sessions_ext import conf
from sessions_ext.backends.db import ROTATE_KEY
from sessions_ext.models import Session


def session_store_class():
    """The ``SessionStore`` of SESSION_ENGINE."""
    return import_module(settings.SESSION_ENGINE).SessionStore


def end_sessions(session_keys: list[str]) -> int:
    """End these sessions (row and cache); the number ended."""
    store_class = session_store_class()
    for key in session_keys:
        store_class().delete(key)
    return len(session_keys)


def end_user_sessions(user: Any, *, keep: str | None = None) -> int:
    """End all of ``user``'s sessions except the one keyed ``keep``."""
    keys = Session.objects.filter(user=user).exclude(session_key=keep or "")
    return end_sessions(list(keys.values_list("session_key", flat=True)))


def end_session_by_public_id(user: Any, public_id: str) -> bool:
    """End the session of ``user`` named by ``public_id``; False if none matches.

    A user can only ever reach their own sessions through this.
    """
    for session in Session.objects.filter(user=user).only("session_key"):
        if constant_time_compare(session.public_id, public_id):
            end_sessions([session.session_key])
            return True
    return False


def end_sessions_with_stale_auth_hash(user: Any) -> int:
    """End the user's sessions signed with another password than the current one.

    Django already refuses them on their next request; this removes them at
    once, so they vanish from lists and caches too.
    """
    current = user.get_session_auth_hash()
    stale = [
        session.session_key
        for session in Session.objects.filter(user=user)
        if not constant_time_compare(session.get_decoded().get(HASH_SESSION_KEY, ""), current)
    ]
    return end_sessions(stale)


def enforce_session_limit(user: Any, current_key: str | None) -> int:
    """Apply SESSIONS_EXT_MAX_SESSIONS_PER_USER: end the user's oldest other sessions."""
    limit = conf.get("SESSIONS_EXT_MAX_SESSIONS_PER_USER")
    if not limit:
        return 0
    others = (
        Session.objects.active()
        .filter(user=user)
        .exclude(session_key=current_key or "")
        .order_by("-last_activity", "-created_at")
        .values_list("session_key", flat=True)
    )
    return end_sessions(list(others[limit - 1:]))


def rotate_user_sessions(user: Any, request: HttpRequest | None = None) -> int:
    """Give the user's sessions new keys after a change of privileges.

    The request's own session (when it is ``user``'s) rotates now; the
    others are marked and rotate on their next request, so nobody is signed
    out. Returns the number of sessions marked.
    """
    current = None
    session = getattr(request, "session", None)
    if session is not None and getattr(request.user, "pk", None) == user.pk:
        session.cycle_key()
        current = session.session_key
    store_class = session_store_class()
    keys = Session.objects.active().filter(user=user).exclude(session_key=current or "")
    marked = 0
    for key in keys.values_list("session_key", flat=True):
        store = store_class(key)
        if not store.keys():  # expired or ended meanwhile
            continue
        store[ROTATE_KEY] = True
        try:
            store.save()
        except UpdateError:  # ended between the read and the write
            continue
        marked += 1
    return marked
