"""Operator URLs of ``performance``; the product includes them at its root."""

from django.urls import path

from performance import views

app_name = "performance"

urlpatterns = [
    path("metrics", views.metrics_view, name="metrics"),
    path("livez", views.livez, name="livez"),
    path("readyz", views.readyz, name="readyz"),
    path("performance/export/", views.export_download, name="export"),
]
