from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from dataguardian import signin, views
from dataguardian.orgs import views as org_views

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before the auth URLs: reset requests count in the sign-in throttle (dataguardian.signin).
    path("accounts/password_reset/", signin.ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("scans/", include("dataguardian.scans.urls")),
    path("billing/", include("dataguardian.billing.urls")),
    path("account/sessions/", include("sessions_ext.urls")),
    path("organization/switch/", org_views.switch_organization, name="switch_organization"),
    path("healthz", views.healthz, name="healthz"),
    # /metrics, /livez, /readyz and the staff export download of the monitoring data.
    path("", include("performance.urls")),
    path("", views.dashboard, name="dashboard"),
]

if "debug_toolbar" in settings.INSTALLED_APPS:
    urlpatterns.append(path("__debug__/", include("debug_toolbar.urls")))
