"""The indexes the pages rely on exist, and PostgreSQL uses them.

On PostgreSQL Finding's indexes live on each finished scan's partition,
named ``<index>_s<scan id>`` (``dataguardian.scans.partitions``).
"""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from dataguardian.billing.models import Payment
from dataguardian.orgs.models import Membership, Organization
from dataguardian.scans import partitions
from dataguardian.scans.models import UNFINISHED_STATUSES, Finding, Scan
from dataguardian.scans.services import partition_lifecycle
from tests.foundation.factories import make_scan

pytestmark = pytest.mark.django_db

EXPECTED = {
    Scan: {"scan_org_created_idx", "scan_org_status_idx", "scan_unfinished_idx"},
    Finding: {"finding_scan_severity_idx", "finding_scan_entity_idx", "finding_org_hash_idx"},
    Payment: {"payment_org_status_idx"},
    Membership: {"membership_org_role_idx", "membership_user_org_uniq"},
}


@pytest.fixture
def finished_scan():
    """A completed scan whose findings partition (PostgreSQL) has been finalized."""
    org = Organization.objects.create(name="Indexed BV", slug="indexed")
    scan = make_scan(org, kind="documents", source="x", status="completed")
    partition_lifecycle.on_scan_finished(scan.pk)
    return scan


@pytest.mark.parametrize("model", list(EXPECTED), ids=lambda m: m.__name__)
def test_indexes_exist_in_the_database(model, finished_scan):
    table, suffix = model._meta.db_table, ""
    if model is Finding and partitions.enabled():
        table, suffix = partitions.partition_name(finished_scan.pk), f"_s{finished_scan.pk}"
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, table))
    assert {name + (suffix if model is Finding else "") for name in EXPECTED[model]} <= names


def _plan(queryset) -> str:
    """EXPLAIN with sequential scans priced out, as the planner would with many rows.

    The table is analysed first, so what earlier tests left in its statistics
    does not change the plan.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(queryset.model._meta.db_table)}")
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
    "finding_scan_severity_idx": lambda scan: Finding.objects.filter(scan_id=scan.pk)
    .order_by("-severity", "id")[:50],
    "finding_scan_entity_idx": lambda scan: Finding.objects.filter(scan_id=scan.pk, entity="EMAIL")
    .order_by("-severity", "id")[:50],
    "finding_org_hash_idx": lambda scan: Finding.objects.filter(organization_id=scan.organization_id,
                                                              value_hash="0" * 64),
    "payment_org_status_idx": lambda: Payment.objects.filter(organization_id=1, status="paid")
    .order_by("-created_at")[:20],
    "membership_org_role_idx": lambda: Membership.objects.filter(organization_id=1, role="admin"),
}


@pytest.mark.postgres
@pytest.mark.parametrize("index_name", list(HOT_QUERIES))
def test_hot_query_uses_its_index(index_name, request):
    query = HOT_QUERIES[index_name]
    if index_name.startswith("finding_"):
        scan = request.getfixturevalue("finished_scan")
        plan = _plan(query(scan))
        index_name += f"_s{scan.pk}"  # the finished scan's partition's own
    else:
        plan = _plan(query())
    assert index_name in plan, plan


def test_every_declared_index_serves_a_query_that_uses_it():
    """Each index of the models above is in HOT_QUERIES, whose plans must use it (the test above)."""
    declared = {index.name for model in EXPECTED for index in model._meta.indexes}
    assert declared == set(HOT_QUERIES)


@pytest.mark.postgres
def test_the_partial_index_serves_only_the_unfinished_scans():
    """The sweep's query uses it; the same question about finished scans cannot."""
    finished = Scan.objects.filter(status="completed",
                                   last_progress_at__lt=timezone.now() - datetime.timedelta(minutes=10))
    assert "scan_unfinished_idx" in _plan(HOT_QUERIES["scan_unfinished_idx"]())
    assert "scan_unfinished_idx" not in _plan(finished)
