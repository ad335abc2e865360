"""The actions the activity log records and filters on: this app's own and the project's.

The project lists its own in the SESSIONS_EXT_ACTIONS setting: the dotted
path of an iterable of ``(value, label)`` pairs (a ``TextChoices`` class
fits). ``choices()`` is what the activity page's filter offers, and
``activity.record`` logs an error for an action missing from it (the row
is still written: the audit trail loses nothing), so what is recorded and
what can be filtered on come from one list.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from sessions_ext import conf
from sessions_ext.models import Action


def choices() -> list[tuple[str, str]]:
    """(value, label) of every known action: this app's, then the project's."""
    path = conf.get("SESSIONS_EXT_ACTIONS")
    declared = import_string(path) if path else ()
    pairs = getattr(declared, "choices", declared)
    return [*Action.choices, *((str(value), str(label)) for value, label in pairs)]


def labels() -> dict[str, str]:
    return dict(choices())


def is_known(action: str) -> bool:
    return action in labels()
