from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dataguardian.orgs"
    label = "orgs"
    verbose_name = "Organisations"
