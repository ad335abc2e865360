"""Signals this app listens to; the product sends them.

``privilege_changed``: send with ``user=`` (and ``request=`` when the change
happens in that user's own request) after a role or permission change; the
user's session keys rotate (see ``services.rotate_user_sessions``).
"""

from django.dispatch import Signal

privilege_changed = Signal()  # kwargs: user, request=None
