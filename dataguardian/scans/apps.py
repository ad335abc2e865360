from django.apps import AppConfig


class ScansConfig(AppConfig):
    name = "dataguardian.scans"
    label = "scans"
    verbose_name = "Scans and findings"
