"""The indexes the pages rely on exist, and PostgreSQL uses them."""

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from dataguardian.billing.models import Payment
from dataguardian.orgs.models import Membership
from dataguardian.scans.models import UNFINISHED_STATUSES, Finding, Scan

pytestmark = pytest.mark.django_db

EXPECTED = {
    Scan: {"scan_org_created_idx", "scan_org_status_idx", "scan_unfinished_idx"},
    Finding: {"finding_scan_severity_idx", "finding_scan_entity_idx", "finding_org_hash_idx"},
    Payment: {"payment_org_status_idx"},
    Membership: {"membership_org_role_idx", "membership_user_org_uniq"},
}


@pytest.mark.parametrize("model", list(EXPECTED), ids=lambda m: m.__name__)
def test_indexes_exist_in_the_database(model):
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, model._meta.db_table))
    assert EXPECTED[model] <= names


def test_every_declared_index_has_a_comment_naming_its_query():
    import inspect

    for model in EXPECTED:
        source = inspect.getsource(model)
        for index in model._meta.indexes:
            before = source.split(f'name="{index.name}"')[0]
            block = before.rsplit("models.Index(", 1)[0].rstrip()
            assert block.splitlines()[-1].strip().startswith("#"), index.name


def _plan(queryset) -> str:
    """EXPLAIN with sequential scans priced out, as the planner would with many rows."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


HOT_QUERIES = {
    "scan_org_created_idx": lambda: Scan.objects.filter(organization_id=1).order_by("-created_at")[:25],
    "scan_org_status_idx": lambda: Scan.objects.filter(organization_id=1, status="completed")
    .order_by("-created_at")[:25],
    "scan_unfinished_idx": lambda: Scan.objects.filter(
        status__in=UNFINISHED_STATUSES, last_progress_at__lt=timezone.now() - datetime.timedelta(minutes=10)
    ),
    "finding_scan_severity_idx": lambda: Finding.objects.filter(scan_id=1).order_by("-severity", "id")[:50],
    "finding_scan_entity_idx": lambda: Finding.objects.filter(scan_id=1, entity="EMAIL")
    .order_by("-severity", "id")[:50],
    "finding_org_hash_idx": lambda: Finding.objects.filter(organization_id=1, value_hash="0" * 64),
    "payment_org_status_idx": lambda: Payment.objects.filter(organization_id=1, status="paid")
    .order_by("-created_at")[:20],
    "membership_org_role_idx": lambda: Membership.objects.filter(organization_id=1, role="admin"),
}


@pytest.mark.postgres
@pytest.mark.parametrize("index_name", list(HOT_QUERIES))
def test_hot_query_uses_its_index(index_name):
    plan = _plan(HOT_QUERIES[index_name]())
    assert index_name in plan, plan


def test_partial_index_covers_only_unfinished_scans():
    index = next(i for i in Scan._meta.indexes if i.name == "scan_unfinished_idx")
    assert index.condition == Q(status__in=UNFINISHED_STATUSES)
