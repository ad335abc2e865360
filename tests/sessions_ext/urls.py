"""A small URLconf for these tests: Django's auth views, this app, one page.

The product's own pages change under other work; the session behaviour is
tested against pages whose behaviour is fixed here.
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def page(request):
    return HttpResponse(f"hello {request.user.get_username()}")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/sessions/", include("sessions_ext.urls")),
    path("", page, name="dashboard"),
]
