from django.urls import path

from dataguardian.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.billing, name="index"),
]
