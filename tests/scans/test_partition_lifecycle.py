"""The findings partitions follow a scan through every path that creates or deletes one (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.urls import reverse

from dataguardian.orgs.models import Organization
from dataguardian.scans import partitions
from dataguardian.scans.models import Finding, Scan
from dataguardian.scans.services import scans_delete
from tests.foundation.factories import make_finding, make_org, make_scan
from tests.scans.pipeline_support import eager_celery  # noqa: F401 - fixture

pytestmark = pytest.mark.postgres


def _exists(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        return cursor.fetchone()[0]


def _scan_with_findings(org, n: int) -> Scan:
    scan = make_scan(org, status="completed")
    for _ in range(n):
        make_finding(scan)
    return scan


def _rows_deleted_from(table: str) -> int:
    """Rows deleted one by one from ``table`` in this transaction (a TRUNCATE deletes none)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_tup_del FROM pg_stat_xact_user_tables WHERE relname = %s", [table])
        row = cursor.fetchone()
        return row[0] if row else 0


@pytest.mark.django_db
def test_deleting_scans_truncates_their_partitions_instead_of_deleting_row_by_row():
    org = make_org()
    doomed, also_doomed, kept = (_scan_with_findings(org, n) for n in (5, 3, 2))
    assert scans_delete(scans=Scan.objects.filter(pk__in=[doomed.pk, also_doomed.pk])) == 2
    assert list(Finding.objects.values_list("scan_id", flat=True).distinct()) == [kept.pk]
    for scan in (doomed, also_doomed):
        assert _rows_deleted_from(partitions.partition_name(scan.pk)) == 0


@pytest.mark.django_db
def test_a_delete_that_rolls_back_keeps_the_findings():
    scan = _scan_with_findings(make_org(), 4)
    with pytest.raises(RuntimeError), transaction.atomic():
        scans_delete(scans=Scan.objects.filter(pk=scan.pk))
        raise RuntimeError("the admin's request failed after the delete")
    assert Finding.objects.filter(scan=scan).count() == 4
    assert _exists(partitions.partition_name(scan.pk))


@pytest.mark.django_db(transaction=True)
def test_the_admin_deletes_a_scan_and_its_partition_goes_after_the_commit(admin_client, eager_celery):  # noqa: F811
    org = make_org()
    doomed, kept = _scan_with_findings(org, 3), _scan_with_findings(org, 2)
    page = admin_client.get(reverse("admin:scans_scan_delete", args=[doomed.pk])).content.decode()
    assert "Findings: 3" in page and "j***@example.nl" not in page  # counted, not listed one by one
    response = admin_client.post(reverse("admin:scans_scan_delete", args=[doomed.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Scan.objects.filter(pk=doomed.pk).exists()
    assert not _exists(partitions.partition_name(doomed.pk))
    assert Finding.objects.filter(scan=kept).count() == 2 and _exists(partitions.partition_name(kept.pk))


@pytest.mark.django_db(transaction=True)
def test_the_admin_bulk_delete_leaves_no_partition_behind(admin_client, eager_celery):  # noqa: F811
    org = make_org()
    scans = [_scan_with_findings(org, 2) for _ in range(3)]
    chosen = [scans[0].pk, scans[2].pk]
    form = {"action": "delete_selected", "_selected_action": chosen}
    page = admin_client.post(reverse("admin:scans_scan_changelist"), form).content.decode()
    assert "Findings: 4" in page  # the confirmation counts them
    admin_client.post(reverse("admin:scans_scan_changelist"), {**form, "post": "yes"})
    assert list(Scan.objects.values_list("pk", flat=True)) == [scans[1].pk]
    assert [_exists(partitions.partition_name(pk)) for pk in chosen] == [False, False]
    assert Finding.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_deleting_an_organisation_in_the_admin_takes_its_scans_partitions(admin_client, eager_celery):  # noqa: F811
    doomed_org, kept_org = make_org(), make_org()
    doomed, kept = _scan_with_findings(doomed_org, 3), _scan_with_findings(kept_org, 1)
    page = admin_client.get(reverse("admin:orgs_organization_delete", args=[doomed_org.pk])).content.decode()
    assert "Scans: 1" in page and "Findings: 3" in page
    admin_client.post(reverse("admin:orgs_organization_delete", args=[doomed_org.pk]), {"post": "yes"})
    assert not Organization.objects.filter(pk=doomed_org.pk).exists()
    assert not _exists(partitions.partition_name(doomed.pk))
    assert list(Finding.objects.values_list("scan_id", flat=True)) == [kept.pk]


@pytest.mark.django_db
def test_a_scan_added_in_the_admin_gets_its_partition(admin_client):
    org = make_org()
    response = admin_client.post(reverse("admin:scans_scan_add"), {
        "organization": org.pk, "kind": "documents", "source": "by hand", "status": "queued",
        "progress_done": 0, "progress_total": 0, "findings_count": 0, "count_low": 0, "count_medium": 0,
        "count_high": 0, "count_critical": 0, "risk_score": 0, "file_errors_count": 0, "file_errors": "[]",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    scan = Scan.objects.get(source="by hand")
    assert _exists(partitions.partition_name(scan.pk))
    make_finding(scan)  # routed into it
    assert Finding.objects.filter(scan=scan).count() == 1
