"""Activity is recorded for each action, batched per request, and browsable."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dataguardian.activity import Action as ProductAction
from dataguardian.orgs.models import Membership
from sessions_ext import activity
from sessions_ext.forms import ActivityFilterForm
from sessions_ext.models import Action, UserActivity
from tests.sessions_ext.conftest import PASSWORD, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.sessions_ext.urls")]


def actions(user=None) -> list[str]:
    rows = UserActivity.objects.order_by("id")
    return list((rows.filter(user=user) if user else rows).values_list("action", flat=True))


def test_sign_in_sign_out_and_failed_sign_in(user):
    client = signed_in(user, ip="192.0.2.5")
    client.post("/accounts/logout/")
    Client().post("/accounts/login/", {"username": user.username, "password": "wrong"})
    assert actions(user) == [Action.SIGN_IN, Action.SIGN_OUT, Action.SIGN_IN_FAILED]
    sign_in = UserActivity.objects.get(action=Action.SIGN_IN)
    membership = Membership.objects.get(user=user)
    assert (sign_in.ip_address, sign_in.organization_id) == ("192.0.2.5", membership.organization_id)
    failed = UserActivity.objects.get(action=Action.SIGN_IN_FAILED)
    assert failed.extra == {"username": user.username}
    assert "password" not in str(failed.extra)


def test_failed_sign_in_of_unknown_user_has_no_user(db):
    Client().post("/accounts/login/", {"username": "nobody", "password": PASSWORD})
    row = UserActivity.objects.get()
    assert (row.action, row.user, row.extra) == (Action.SIGN_IN_FAILED, None, {"username": "nobody"})


@pytest.mark.parametrize("action", list(ProductAction))
def test_product_actions_from_a_task(user, action, caplog):
    membership = Membership.objects.get(user=user)
    activity.record(user, action, obj=membership, rows=3)
    row = UserActivity.objects.get(action=action)
    assert (row.user, row.object_type, row.object_id) == (user, "orgs.membership", str(membership.pk))
    assert row.organization_id == membership.organization_id  # taken from the object
    assert row.extra == {"rows": 3}
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


class ProjectActions:
    choices = [("report.printed", "Report printed")]


def test_the_filter_offers_the_apps_actions_and_those_the_project_declares(settings):
    settings.SESSIONS_EXT_ACTIONS = f"{__name__}.ProjectActions"
    offered = dict(ActivityFilterForm().fields["action"].choices)
    assert offered == {"": "Any action", **dict(Action.choices), "report.printed": "Report printed"}
    assert ActivityFilterForm({"action": "report.printed"}).is_valid()
    assert not ActivityFilterForm({"action": "scan.viewed"}).is_valid()  # not declared by this project


def test_an_undeclared_action_is_written_and_logged_as_an_error(user, caplog):
    activity.record(user, "made.up")
    assert actions(user) == ["made.up"]
    assert [r.levelname for r in caplog.records if "made.up" in r.getMessage()] == ["ERROR"]


def test_rows_of_one_request_are_written_in_one_insert_after_the_response(user, rf):
    request = rf.get("/")
    request.user = user
    activity.start_request()
    with CaptureQueriesContext(connection) as during:
        for _ in range(5):
            activity.record(request, Action.SESSION_ENDED)
    inserts_during = [q for q in during.captured_queries if q["sql"].startswith("INSERT")]
    with CaptureQueriesContext(connection) as after:
        activity.finish_request()
    inserts_after = [q for q in after.captured_queries if q["sql"].startswith("INSERT")]
    assert (len(inserts_during), len(inserts_after)) == (0, 1)
    assert UserActivity.objects.filter(action=Action.SESSION_ENDED).count() == 5


def test_activity_page_for_organisation_admins_only(make_user):
    admin = make_user(role="admin")
    org = Membership.objects.get(user=admin).organization
    analyst = make_user(role="analyst", organization=org)
    outsider = make_user(role="owner")
    activity.record(analyst, ProductAction.SCAN_STARTED)
    activity.record(analyst, ProductAction.SCAN_EXPORTED)
    activity.record(outsider, ProductAction.SCAN_STARTED)

    assert signed_in(analyst).get("/account/sessions/activity/").status_code == 403
    client = signed_in(admin)
    html = client.get("/account/sessions/activity/", {"action": ProductAction.SCAN_STARTED}).content.decode()
    assert html.count('<td title="scan.started">Scan started</td>') == 1
    assert 'title="scan.exported"' not in html
    assert outsider.username not in html
    by_user = client.get("/account/sessions/activity/", {"user": analyst.username}).content.decode()
    assert '<td title="scan.exported">Scan exported</td>' in by_user
    assert f"<td>{admin.username}</td>" not in by_user
    bad = client.get("/account/sessions/activity/", {"since": "2026-02-02", "until": "2026-01-01"})
    assert "start date is after" in bad.content.decode()
