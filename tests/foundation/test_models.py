"""Domain constraints hold in the database itself, not only in forms."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from dataguardian.orgs.models import Membership
from dataguardian.scans.models import Finding, Scan
from dataguardian.scans.services import scans_delete
from tests.foundation.factories import make_finding, make_member, make_org, make_payment, make_scan

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


def test_finding_never_has_a_field_for_the_raw_value():
    names = {field.name for field in Finding._meta.get_fields()}
    assert "value" not in names and "raw_value" not in names
    assert {"masked_value", "value_hash"} <= names


@pytest.mark.parametrize("model", [Scan, Finding])
def test_no_redundant_single_column_foreign_key_indexes(model):
    """Foreign keys led by a composite index get no second, single-column one."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    single = [c["columns"] for c in constraints.values() if c["index"] and len(c["columns"]) == 1]
    assert ["organization_id"] not in single
    if model is Finding:
        assert ["scan_id"] not in single
