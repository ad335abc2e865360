from django.urls import path

from dataguardian.scans import views

app_name = "scans"

urlpatterns = [
    path("", views.scan_list, name="list"),
    path("new/", views.scan_new, name="new"),
    path("<int:scan_id>/", views.scan_detail, name="detail"),
    path("<int:scan_id>/findings/", views.scan_findings, name="findings"),
    path("<int:scan_id>/progress/", views.scan_progress, name="progress"),
    path("<int:scan_id>/cancel/", views.scan_cancel, name="cancel"),
    path("<int:scan_id>/report/", views.scan_report, name="report"),
    path("<int:scan_id>/export.<str:fmt>", views.scan_export, name="export"),
]
