"""A membership created, changed or removed is a change of privileges.

The sessions of its user rotate their keys (sessions_ext), so a session key
obtained before the change never carries the new rights.
"""

from __future__ import annotations

from typing import Any

from sessions_ext.signals import privilege_changed


def membership_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    privilege_changed.send(sender=sender, user=instance.user)
