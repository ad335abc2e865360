"""One list of actions: each listed action, done through the pages, is found by its filter."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from dataguardian.orgs.models import Membership, Role
from sessions_ext import actions
from sessions_ext.models import UserActivity
from tests.foundation.factories import make_member, make_org

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"  # tests.foundation.factories.make_member's


def _sign_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    client.post(reverse("login"), {"username": username, "password": password})
    return client


def _do_everything_the_product_records(settings, tmp_path) -> Client:
    """Each recorded action once, through the pages; returns the signed-in client of an admin."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DG_SCAN_FOLDERS = [str(tmp_path)]
    org, other = make_org("Alpha Zorg"), make_org("Beta Bank")
    admin = make_member(org, role=Role.ADMIN, username="ada")
    Membership.objects.create(user=admin, organization=other, role=Role.VIEWER)
    _sign_in("ada", "wrong")  # a failed sign-in
    client = _sign_in("ada")
    client.post(reverse("scans:new"), {"source": "folder", "kind": "documents", "folder": str(tmp_path)})
    scan_id = UserActivity.objects.get(action="scan.started").object_id
    client.get(reverse("scans:detail", args=[scan_id]))
    b"".join(client.get(reverse("scans:export", args=[scan_id, "csv"])).streaming_content)
    client.get(reverse("scans:report", args=[scan_id]))
    client.post(reverse("scans:cancel", args=[scan_id]))
    client.post(reverse("switch_organization"), {"organization": other.pk})
    client.post(reverse("switch_organization"), {"organization": org.pk})
    client.post(reverse("sessions_ext:end_others"))
    client.post(reverse("logout"))
    return _sign_in("ada")


def test_filtering_by_each_listed_action_finds_the_events_the_product_recorded(settings, tmp_path, caplog):
    client = _do_everything_the_product_records(settings, tmp_path)
    listed = [value for value, _label in actions.choices()]
    recorded = set(UserActivity.objects.values_list("action", flat=True))
    assert recorded == set(listed), "every listed action is recorded somewhere, and only those"
    assert not [r.getMessage() for r in caplog.records if "not a declared action" in r.getMessage()]
    for action in listed:
        page = client.get(reverse("sessions_ext:activity"), {"action": action}).content.decode()
        shown = re.findall(r'<td title="([^"]+)">', page)
        assert shown and set(shown) == {action}, (action, shown)
