"""Signal receivers, connected in ``SessionsExtConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from sessions_ext import activity, services
from sessions_ext.models import Action


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    activity.enqueue(activity.build(request if request is not None else user, Action.SIGN_IN, user=user))


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:  # the session had expired: nobody signed out
        return
    # Sent before request.user becomes anonymous; name the user explicitly anyway.
    activity.enqueue(activity.build(request if request is not None else user, Action.SIGN_OUT, user=user))


def on_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # Django has already removed passwords and tokens from ``credentials``.
    User = get_user_model()
    username = str(credentials.get(User.USERNAME_FIELD, "") or "")[:150]
    user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    activity.enqueue(
        activity.build(request, Action.SIGN_IN_FAILED, user=user, extra={"username": username})
    )


def on_logged_in_limit(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    services.enforce_session_limit(user, getattr(session, "session_key", None))


def on_user_saved(
    sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    """A saved password may have changed: end the sessions signed with the old one."""
    if created or (update_fields is not None and "password" not in update_fields):
        return
    services.end_sessions_with_stale_auth_hash(instance)


def on_privilege_changed(sender: Any, user: Any, request: Any = None, **kwargs: Any) -> None:
    services.rotate_user_sessions(user, request)


def on_permissions_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any,
                           **kwargs: Any) -> None:
    """Groups or permissions added to / removed from users: their keys rotate."""
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    User = get_user_model()
    users = User._default_manager.filter(pk__in=pk_set or []) if reverse else [instance]
    for user in users:
        services.rotate_user_sessions(user)
