"""URLs of bench/settings_monitoring.py: the product's, a minimal view, and the comparison's own."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path

from dataguardian.urls import urlpatterns as product


def hello(request):
    """The least a view can do: what the middleware costs shows here."""
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello, name="bench-hello"), *product]
if "silk" in settings.INSTALLED_APPS:
    urlpatterns.append(path("silk/", include("silk.urls", namespace="silk")))
if "django_prometheus" in settings.INSTALLED_APPS:
    urlpatterns.append(path("prometheus/", include("django_prometheus.urls")))
