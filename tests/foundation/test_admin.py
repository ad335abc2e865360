"""The admin lists, finds and edits what it should, and refuses what it must."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_celery_results.models import GroupResult, TaskResult

from dataguardian.orgs.models import Membership, Organization, Role
from dataguardian.scans.models import Finding, Scan
from performance import paginators
from performance.bottlenecks import services as bottlenecks
from performance.bottlenecks.base import Finding as BottleneckFinding
from performance.models import (
    Bottleneck,
    IndexAuditReport,
    NPlusOne,
    ProcessSample,
    QueryRollup,
    QueryStatDelta,
    QueryStatSnapshot,
    SlowQuery,
    SystemSample,
)
from sessions_ext.models import CleanupRun, Session, UserActivity
from tests.foundation.factories import make_finding, make_member, make_org, make_payment, make_scan
from tests.performance.monitoring_support import span_rollup

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _slow_query() -> SlowQuery:
    return SlowQuery.objects.create(fingerprint_hash="f" * 32, source="scans:detail", fingerprint="SELECT ?",
                                    example="SELECT 1", calls=3, total_ms=900, max_ms=400,
                                    first_seen=NOW, last_seen=NOW)


def _delta() -> QueryStatDelta:
    snapshot = QueryStatSnapshot.objects.create()
    return QueryStatDelta.objects.create(snapshot=snapshot, queryid=1, query="SELECT $1", calls=2, total_ms=3,
                                         mean_ms=1.5, rows=2, shared_blks_hit=1, shared_blks_read=0)


def _bottleneck() -> Bottleneck:
    finding = BottleneckFinding(subject="scans:list", title="N+1 on scans:list",
                                severity=Bottleneck.Severity.HIGH, evidence={"repeats": 40},
                                recommendation="select_related('organization')", key="e" * 32)
    finding.rule = "n_plus_one"
    bottlenecks.record([finding], NOW)
    return Bottleneck.objects.get(fingerprint=finding.fingerprint())


ACCESS = {"user_agent": "pytest", "ip_address": "192.0.2.7", "username": "mallory", "http_accept": "*/*",
          "path_info": "/accounts/login/"}
# One row of every model the admin registers, made the way the product makes it where it matters.
ROWS = {
    "axes.AccessAttempt": lambda ctx: AccessAttempt.objects.create(**ACCESS, get_data="", post_data="",
                                                                   failures_since_start=3),
    "axes.AccessFailureLog": lambda ctx: AccessFailureLog.objects.create(**ACCESS, locked_out=True),
    "axes.AccessLog": lambda ctx: AccessLog.objects.create(**ACCESS),
    "auth.Group": lambda ctx: Group.objects.create(name="auditors"),
    "auth.User": lambda ctx: ctx["user"],
    "billing.Payment": lambda ctx: ctx["payment"],
    "django_celery_beat.ClockedSchedule": lambda ctx: ClockedSchedule.objects.create(clocked_time=NOW),
    "django_celery_beat.CrontabSchedule": lambda ctx: CrontabSchedule.objects.create(minute="17", hour="3"),
    "django_celery_beat.IntervalSchedule": lambda ctx: IntervalSchedule.objects.create(every=7,
                                                                                       period="days"),
    "django_celery_beat.PeriodicTask": lambda ctx: PeriodicTask.objects.create(
        name="weekly audit", task="x", interval=IntervalSchedule.objects.create(every=6, period="days")),
    "django_celery_beat.SolarSchedule": lambda ctx: SolarSchedule.objects.create(
        event="sunrise", latitude=52.37, longitude=4.9),
    "django_celery_results.GroupResult": lambda ctx: GroupResult.objects.create(group_id="group-admin-test"),
    "django_celery_results.TaskResult": lambda ctx: TaskResult.objects.create(task_id="task-admin-test"),
    "orgs.Membership": lambda ctx: ctx["membership"],
    "orgs.Organization": lambda ctx: ctx["org"],
    "performance.Bottleneck": lambda ctx: _bottleneck(),
    "performance.IndexAuditReport": lambda ctx: IndexAuditReport.objects.create(database="dg"),
    "performance.NPlusOne": lambda ctx: NPlusOne.objects.create(
        fingerprint_hash="e" * 32, source="scans:list", fingerprint="SELECT ?", example="SELECT 1",
        first_seen=NOW, last_seen=NOW),
    "performance.ProcessSample": lambda ctx: ProcessSample.objects.create(at=NOW, host="web-1", pid=4242,
                                                                          role="web", cpu_pct=12.5),
    "performance.QueryRollup": lambda ctx: QueryRollup.objects.create(source="scans:list", kind="request",
                                                                      hour=NOW),
    "performance.QueryStatDelta": lambda ctx: _delta(),
    "performance.QueryStatSnapshot": lambda ctx: QueryStatSnapshot.objects.create(),
    "performance.SlowQuery": lambda ctx: _slow_query(),
    "performance.SpanRollup": lambda ctx: span_rollup("request", "scans:list", NOW.replace(second=0),
                                                      [12.0, 30.0, 45.0]),
    "performance.SystemSample": lambda ctx: SystemSample.objects.create(host="web-1", at=NOW,
                                                                        values={"cpu_pct": 12.5}),
    "scans.Finding": lambda ctx: ctx["finding"],
    "scans.Scan": lambda ctx: ctx["scan"],
    "sessions_ext.CleanupRun": lambda ctx: CleanupRun.objects.create(job="sessions"),
    "sessions_ext.Session": lambda ctx: Session.objects.get(user=ctx["admin"]),
    "sessions_ext.UserActivity": lambda ctx: UserActivity.objects.create(user=ctx["user"], action="sign_in"),
}


@pytest.fixture
def populated(admin_client, admin_user):
    org = make_org("Searchable Zorg")
    user = make_member(org, Role.OWNER, username="owner-olga")
    scan = make_scan(org, source="Upload: needle-export.zip")
    return {"org": org, "user": user, "membership": Membership.objects.get(user=user), "scan": scan,
            "finding": make_finding(scan), "payment": make_payment(org, provider_reference="tr_needle"),
            "admin": admin_user}


def _urls(obj) -> tuple[str, str]:
    info = (obj._meta.app_label, obj._meta.model_name)
    return (reverse("admin:%s_%s_changelist" % info),
            reverse("admin:%s_%s_change" % info, args=[quote(obj.pk)]))


def _registered() -> list[str]:
    return sorted(model._meta.label for model in admin.site._registry)


def test_every_registered_model_has_a_row_to_show():
    assert _registered() == sorted(ROWS), "teach ROWS how to make a row of each registered model"


@pytest.mark.parametrize("label", _registered())
def test_each_changelist_lists_its_row_and_the_row_opens(admin_client, populated, label):
    made = ROWS[label](populated)
    obj = type(made)._default_manager.get(pk=made.pk)  # as stored (decimals, dates)
    changelist, change = _urls(obj)
    assert change in admin_client.get(changelist).content.decode(), f"{label}: row not listed"
    assert escape(str(obj)) in admin_client.get(change).content.decode()


SEARCHES = {  # product admins: (row, a term that finds it)
    Organization: ("org", "Searchable"),
    Membership: ("membership", "owner-olga"),
    Scan: ("scan", "needle-export"),
    Finding: ("finding", None),  # exact value hash, below
    "billing.Payment": ("payment", "tr_needle"),
}


@pytest.mark.parametrize("key", list(SEARCHES), ids=str)
def test_search_finds_the_row_and_not_the_others(admin_client, populated, key):
    name, term = SEARCHES[key]
    obj = populated[name]
    term = term or obj.value_hash
    changelist, change = _urls(obj)
    assert change in admin_client.get(changelist, {"q": term}).content.decode()
    assert change not in admin_client.get(changelist, {"q": "no-such-thing-7c1"}).content.decode()


def test_a_role_changed_in_the_admin_is_saved(admin_client, populated):
    membership = populated["membership"]
    _changelist, change = _urls(membership)
    form = {"user": membership.user_id, "organization": membership.organization_id, "role": Role.VIEWER}
    response = admin_client.post(change, form)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_findings_can_be_neither_edited_nor_added(admin_client, populated):
    finding = populated["finding"]
    before = (finding.masked_value, finding.value_hash)
    _changelist, change = _urls(finding)
    admin_client.post(change, {"masked_value": "plain@example.nl", "value_hash": "0" * 64})
    finding.refresh_from_db()
    assert (finding.masked_value, finding.value_hash) == before
    assert admin_client.get(reverse("admin:scans_finding_add")).status_code == 403


def test_recorded_query_statistics_are_read_only(admin_client, populated):
    row = _slow_query()
    _changelist, change = _urls(row)
    assert admin_client.post(change, {"source": "edited", "calls": 0}).status_code == 403
    assert admin_client.get(reverse("admin:performance_slowquery_add")).status_code == 403
    row.refresh_from_db()
    assert (row.source, row.calls) == ("scans:detail", 3)


@pytest.mark.postgres
def test_findings_changelist_uses_the_estimate_not_a_count(admin_client, populated, monkeypatch):
    """Past the threshold the page count comes from EXPLAIN, never COUNT(*)."""
    monkeypatch.setattr(paginators, "EXACT_COUNT_BELOW", 0)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:scans_finding_changelist"))
    assert response.status_code == 200
    finding_sql = [q["sql"] for q in queries if "scans_finding" in q["sql"]]
    assert not [sql for sql in finding_sql if "COUNT(" in sql.upper()], finding_sql
    assert any(sql.startswith("EXPLAIN") for sql in finding_sql)

