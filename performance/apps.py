from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    """Database and cache instrumentation, profiling, monitoring, dashboard.

    Reusable: never imports ``dataguardian``; the product configures it
    through settings.
    """

    name = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        from performance.db import setup as setup_database_layer

        setup_database_layer()
        from performance.caching.backend import cache_recovered
        from performance.caching.namespaces import bump_versions_after_outage

        cache_recovered.connect(bump_versions_after_outage, dispatch_uid="performance.cache.recovered")
