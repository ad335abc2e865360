from django.apps import AppConfig


class SessionsExtConfig(AppConfig):
    """Owned, tracked, manageable sessions; a sibling of django.contrib.sessions."""

    name = "sessions_ext"
    verbose_name = "Sessions"
