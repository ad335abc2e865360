"""URLs of the session pages, included by the product (e.g. at account/sessions/)."""

from django.urls import path

from sessions_ext import views

app_name = "sessions_ext"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("end-others/", views.session_end_others, name="end_others"),
    path("<str:public_id>/end/", views.session_end, name="end"),
    path("activity/", views.activity_list, name="activity"),
]
