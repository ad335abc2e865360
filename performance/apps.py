from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    """Database and cache instrumentation, profiling, monitoring, dashboard.

    Reusable: never imports ``dataguardian``; the product configures it
    through settings.
    """

    name = "performance"
    verbose_name = "Performance"
