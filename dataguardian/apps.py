from django.apps import AppConfig


class DataGuardianConfig(AppConfig):
    """The project itself, as an app: its management commands and templates."""

    name = "dataguardian"
    verbose_name = "DataGuardian Pro"

    def ready(self) -> None:
        # Make the Celery app current so that @shared_task binds to it.
        from dataguardian import celery  # noqa: F401
        from dataguardian.cache_keys import connect_signals

        # Writes to scans and payments drop the cached values they affect.
        connect_signals()
