"""Every admin changelist, add and change page renders."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dataguardian.orgs.models import Role
from dataguardian.scans.models import Finding
from performance import paginators
from tests.foundation.factories import make_finding, make_member, make_org, make_payment, make_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated():
    org = make_org()
    make_member(org, Role.OWNER)
    scan = make_scan(org)
    make_finding(scan)
    make_payment(org)


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize("model", [m for m, _ in _registered()], ids=lambda m: m._meta.label)
def test_admin_pages_render(admin_client, admin_user, populated, model):
    info = (model._meta.app_label, model._meta.model_name)
    response = admin_client.get(reverse("admin:%s_%s_changelist" % info))
    assert response.status_code == 200
    obj = model._default_manager.first()
    if obj is not None:
        response = admin_client.get(reverse("admin:%s_%s_change" % info, args=[obj.pk]))
        assert response.status_code == 200
    request = RequestFactory().get("/")
    request.user = admin_user
    if admin.site._registry[model].has_add_permission(request):
        assert admin_client.get(reverse("admin:%s_%s_add" % info)).status_code == 200


@pytest.mark.postgres
def test_findings_changelist_uses_the_estimate_not_a_count(admin_client, populated, monkeypatch):
    """Past the threshold the page count comes from EXPLAIN, never COUNT(*)."""
    monkeypatch.setattr(paginators, "EXACT_COUNT_BELOW", 0)
    assert admin.site._registry[Finding].show_full_result_count is False
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:scans_finding_changelist"))
    assert response.status_code == 200
    finding_sql = [q["sql"] for q in queries if "scans_finding" in q["sql"]]
    assert not [sql for sql in finding_sql if "COUNT(" in sql.upper()], finding_sql
    assert any(sql.startswith("EXPLAIN") for sql in finding_sql)


def test_masked_value_and_hash_are_read_only(admin_client, populated):
    model_admin = admin.site._registry[Finding]
    readonly = model_admin.get_readonly_fields(None)
    assert "masked_value" in readonly and "value_hash" in readonly
