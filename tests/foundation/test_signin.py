"""The sign-in throttle (dataguardian/signin.py) beside django-axes' own tables."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from dataguardian.orgs.models import Role
from tests.foundation.factories import make_member, make_org

pytestmark = pytest.mark.django_db
ADDRESS = "192.0.2.7"
PASSWORD = "a-long-test-password"  # the factories'


@pytest.fixture(autouse=True)
def _fresh_counts(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DG_SIGNIN_MAX_FAILURES = 2
    cache.clear()
    yield
    cache.clear()


def _sign_in(password: str) -> int:
    response = Client().post(reverse("login"), {"username": "mallory", "password": password},
                             REMOTE_ADDR=ADDRESS)
    return response.status_code


def test_an_access_attempt_saved_and_deleted_in_the_admin_changes_no_lockout(admin_client):
    make_member(make_org("Throttled BV"), Role.VIEWER, username="mallory")
    assert [_sign_in("wrong"), _sign_in("wrong")] == [200, 429]

    # axes' save and delete signals reach the throttle, which keeps its counts in the cache only.
    row = AccessAttempt.objects.create(username="mallory", ip_address=ADDRESS, user_agent="pytest",
                                       http_accept="*/*", path_info="/accounts/login/", get_data="",
                                       post_data="", failures_since_start=0)
    change = reverse("admin:axes_accessattempt_change", args=[row.pk])
    assert admin_client.post(change, {}).status_code == 302
    delete = reverse("admin:axes_accessattempt_delete", args=[row.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()

    assert _sign_in(PASSWORD) == 429  # still paused, even with the right password
