"""Domain constraints hold in the database itself, not only in forms."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from dataguardian.orgs.models import Membership
from dataguardian.scans.models import Finding, Scan, ScanChunk
from dataguardian.scans.services import scan_create, scans_delete
from tests.foundation.factories import make_finding, make_member, make_org, make_payment, make_scan
from tests.scans.pipeline_support import eager_celery  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def violates(callable_) -> bool:
    try:
        with transaction.atomic():
            callable_()
    except IntegrityError:
        return True
    return False


def test_progress_must_stay_within_total():
    org = make_org()
    assert violates(lambda: make_scan(org, progress_done=5, progress_total=4))
    scan = make_scan(org, progress_done=4, progress_total=4)
    assert scan.progress_percent == 100


def test_risk_score_bounded():
    org = make_org()
    assert violates(lambda: make_scan(org, risk_score=101))
    assert violates(lambda: make_scan(org, risk_score=-1))
    assert not violates(lambda: make_scan(org, risk_score=100))


def test_scan_status_and_kind_must_be_known():
    org = make_org()
    assert violates(lambda: make_scan(org, status="exploded"))
    assert violates(lambda: make_scan(org, kind="telepathy"))


def test_finished_time_not_before_creation():
    scan = make_scan(make_org())
    scan.finished_at = scan.created_at - datetime.timedelta(seconds=1)
    assert violates(lambda: scan.save())


def test_payment_amount_non_negative_and_period_ordered():
    org = make_org()
    assert violates(lambda: make_payment(org, amount=Decimal("-0.01")))
    assert violates(lambda: make_payment(org, period_end=datetime.date(2025, 12, 31)))
    assert violates(lambda: make_payment(org, currency="eu1"))
    assert not violates(lambda: make_payment(org, amount=Decimal("0.00")))


def test_payment_provider_reference_unique_when_known():
    org = make_org()
    make_payment(org, provider_reference="")
    make_payment(org, provider_reference="")
    make_payment(org, provider_reference="tr_123")
    assert violates(lambda: make_payment(org, provider_reference="tr_123"))


def test_finding_confidence_severity_and_hash_bounded():
    scan = make_scan(make_org())
    assert violates(lambda: make_finding(scan, confidence=1.5))
    assert violates(lambda: make_finding(scan, severity=9))
    assert violates(lambda: make_finding(scan, value_hash="not-a-hash"))


def test_membership_unique_and_role_checked():
    org = make_org()
    user = make_member(org)
    assert violates(lambda: Membership.objects.create(user=user, organization=org, role="owner"))
    other = make_org()
    assert violates(lambda: Membership.objects.create(user=user, organization=other, role="emperor"))


def test_deleting_scans_deletes_their_findings_only():
    org = make_org()
    doomed, kept = make_scan(org), make_scan(org)
    make_finding(doomed)
    make_finding(kept)
    assert scans_delete(scans=Scan.objects.filter(pk=doomed.pk)) == 1
    assert list(Finding.objects.values_list("scan_id", flat=True)) == [kept.pk]


def test_a_found_value_is_stored_nowhere_in_clear(settings, tmp_path, eager_celery,  # noqa: F811
                                                 django_capture_on_commit_callbacks):
    """A real scan of planted values: the findings, the scan and its chunks hold masks and hashes only."""
    planted = ["jan.jansen@voorbeeld.nl", "NL91ABNA0417164300"]
    (tmp_path / "klanten.txt").write_text(f"Mail {planted[0]} over rekening {planted[1]}.\n")
    settings.DG_SCAN_FOLDERS = [str(tmp_path)]
    org = make_org()
    with django_capture_on_commit_callbacks(execute=True):
        scan = scan_create(user=make_member(org), organization=org, kind="documents", folder=str(tmp_path))
    stored = [*Finding.objects.filter(scan=scan).values(), *Scan.objects.filter(pk=scan.pk).values(),
              *ScanChunk.objects.filter(scan=scan).values()]
    assert {row["entity"] for row in stored if "entity" in row} == {"EMAIL", "IBAN"}
    for value in planted:
        assert value not in repr(stored)
        assert value.split("@")[0] not in repr(stored)  # not even the mailbox name


@pytest.mark.parametrize("model", [Scan, Finding])
def test_no_redundant_single_column_foreign_key_indexes(model):
    """Foreign keys led by a composite index get no second, single-column one."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    single = [c["columns"] for c in constraints.values() if c["index"] and len(c["columns"]) == 1]
    assert ["organization_id"] not in single
    if model is Finding:
        assert ["scan_id"] not in single
