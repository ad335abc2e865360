from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "dataguardian.billing"
    label = "billing"
    verbose_name = "Billing"
