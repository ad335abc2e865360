"""The debug toolbar's audience, and the values error reports blank (dataguardian.devtools)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import get_default_exception_reporter_filter

from dataguardian.devtools import show_toolbar

pytestmark = pytest.mark.django_db


def _request(user, method="get", path="/"):
    request = getattr(RequestFactory(), method)(path)
    request.user = user
    return request


@pytest.fixture
def people(django_user_model):
    make = django_user_model.objects.create_user
    return {"analyst": make("a"), "staff": make("s", is_staff=True),
            "superuser": make("root", is_staff=True, is_superuser=True)}


def test_the_toolbar_shows_to_a_signed_in_superuser_only(settings, people):
    settings.DEBUG = True
    assert not show_toolbar(_request(AnonymousUser()))
    assert not show_toolbar(_request(people["analyst"]))
    assert not show_toolbar(_request(people["staff"]))
    assert show_toolbar(_request(people["superuser"]))
    settings.DEBUG = False
    assert not show_toolbar(_request(people["superuser"]))


def test_the_toolbar_never_records_a_scan_form_post(settings, people):
    settings.DEBUG = True
    new_scan = reverse("scans:new")
    assert show_toolbar(_request(people["superuser"], "get", new_scan))
    assert not show_toolbar(_request(people["superuser"], "post", new_scan))


def test_reports_blank_database_urls_and_the_usual_secrets():
    cleanse = get_default_exception_reporter_filter().cleanse_setting
    assert "s3cret" not in str(cleanse("database_url", "postgres://u:s3cret@db/x"))
    assert "s3cret" not in str(cleanse("EMAIL_URL", "smtp://u:s3cret@mail:587"))
    assert "s3cret" not in str(cleanse("password", "s3cret"))
    assert cleanse("source", "upload") == "upload"
