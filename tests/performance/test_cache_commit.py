"""Invalidation on write: after the transaction commits, never before, never
on rollback — for the API itself and for the product's registered keys."""

from __future__ import annotations

import datetime
import decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from dataguardian import cache_keys
from dataguardian.billing.models import Payment
from dataguardian.orgs.models import Membership, Organization, Role
from dataguardian.scans.models import Scan, ScanKind, ScanStatus
from performance.cache import namespace

from .cache_support import clean_cache  # noqa: F401 - fixture

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("clean_cache")]


class Boom(Exception):
    pass


def test_delete_on_commit_waits_for_the_commit():
    ns = namespace("scan_results")
    ns.set("k", "old")
    with transaction.atomic():
        ns.delete_on_commit("k")
        assert ns.get("k") == "old"  # not before the commit
    assert ns.get("k") is None


def test_delete_on_commit_does_nothing_on_rollback():
    ns = namespace("scan_results")
    ns.set("k", "old")
    with pytest.raises(Boom), transaction.atomic():
        ns.delete_on_commit("k")
        raise Boom
    assert ns.get("k") == "old"


def test_a_rolled_back_savepoint_drops_only_its_own_deletes():
    ns = namespace("scan_results")
    ns.set("outer", 1)
    ns.set("inner", 2)
    with transaction.atomic():
        ns.delete_on_commit("outer")
        with pytest.raises(Boom), transaction.atomic():
            ns.delete_on_commit("inner")
            raise Boom
    assert ns.get("outer") is None
    assert ns.get("inner") == 2


def test_invalidate_on_commit():
    ns = namespace("dashboard")
    ns.set("a", 1)
    with pytest.raises(Boom), transaction.atomic():
        ns.invalidate_on_commit()
        raise Boom
    assert ns.get("a") == 1
    with transaction.atomic():
        ns.invalidate_on_commit()
        assert ns.get("a") == 1
    assert ns.get("a") is None


# --- the product's keys ------------------------------------------------------
@pytest.fixture
def org_pair():
    user = get_user_model().objects.create_user("ann", password="x")
    mine = Organization.objects.create(name="Mine", slug="mine")
    other = Organization.objects.create(name="Other", slug="other")
    return user, mine, other


def _scan(org, user, **extra) -> Scan:
    return Scan.objects.create(organization=org, created_by=user, kind=ScanKind.DOCUMENTS,
                               source="upload", **extra)


def _fill(org_ids, scan_ids, user_id):
    results, dashboard, org_ns = (namespace(n) for n in ("scan_results", "dashboard", "org_settings"))
    for scan_id in scan_ids:
        results.set(cache_keys.scan_summary(scan_id), "summary")
        results.set(cache_keys.scan_top_locations(scan_id), "locations")
    for org_id in org_ids:
        dashboard.set(cache_keys.dashboard(org_id), "dash")
        dashboard.set(cache_keys.billing_summary(org_id), "billing")
        org_ns.set(cache_keys.org_settings(org_id), "settings")
    org_ns.set(cache_keys.user_memberships(user_id), "memberships")


def _cached() -> set[str]:
    """Which of the product's entries are still cached, by short name."""
    results, dashboard, org_ns = (namespace(n) for n in ("scan_results", "dashboard", "org_settings"))
    probes = {}
    for scan in Scan.objects.all():
        probes[f"summary:{scan.pk}"] = (results, cache_keys.scan_summary(scan.pk))
        probes[f"locations:{scan.pk}"] = (results, cache_keys.scan_top_locations(scan.pk))
    for org in Organization.objects.all():
        probes[f"dashboard:{org.slug}"] = (dashboard, cache_keys.dashboard(org.pk))
        probes[f"billing:{org.slug}"] = (dashboard, cache_keys.billing_summary(org.pk))
        probes[f"settings:{org.slug}"] = (org_ns, cache_keys.org_settings(org.pk))
    for user in get_user_model().objects.all():
        probes[f"memberships:{user.username}"] = (org_ns, cache_keys.user_memberships(user.pk))
    return {name for name, (ns, key) in probes.items() if ns.get(key) is not None}


def test_saving_a_scan_drops_exactly_its_keys_after_commit(org_pair):
    user, mine, other = org_pair
    scan, untouched = _scan(mine, user), _scan(other, user)
    _fill([mine.pk, other.pk], [scan.pk, untouched.pk], user.pk)
    everything = _cached()
    with transaction.atomic():
        scan.status = ScanStatus.COMPLETED
        scan.save()
        assert _cached() == everything  # never before the commit
    assert everything - _cached() == {f"summary:{scan.pk}", f"locations:{scan.pk}", "dashboard:mine"}


def test_a_rolled_back_scan_change_keeps_the_cache(org_pair):
    user, mine, other = org_pair
    scan = _scan(mine, user)
    _fill([mine.pk, other.pk], [scan.pk], user.pk)
    everything = _cached()
    with pytest.raises(Boom), transaction.atomic():
        scan.status = ScanStatus.FAILED
        scan.save()
        raise Boom
    assert _cached() == everything


def test_deleting_a_scan_and_a_findings_batch_invalidate_after_commit(org_pair):
    user, mine, other = org_pair
    scan, doomed = _scan(mine, user), _scan(other, user)
    _fill([mine.pk, other.pk], [scan.pk, doomed.pk], user.pk)
    with transaction.atomic():
        cache_keys.findings_batch_written(scan)
    assert {f"summary:{scan.pk}", "dashboard:mine"}.isdisjoint(_cached())
    assert "dashboard:other" in _cached()
    doomed_id = doomed.pk
    results = namespace("scan_results")
    with transaction.atomic():
        doomed.delete()
        assert results.get(cache_keys.scan_summary(doomed_id)) == "summary"
    assert results.get(cache_keys.scan_summary(doomed_id)) is None
    assert "dashboard:other" not in _cached()


def test_membership_and_payment_writes(org_pair):
    user, mine, other = org_pair
    _fill([mine.pk, other.pk], [], user.pk)
    everything = _cached()
    with pytest.raises(Boom), transaction.atomic():
        Membership.objects.create(user=user, organization=mine, role=Role.ADMIN)
        raise Boom
    assert _cached() == everything
    with transaction.atomic():
        Membership.objects.create(user=user, organization=mine, role=Role.ADMIN)
    assert everything - _cached() == {"settings:mine", "memberships:ann"}

    _fill([mine.pk, other.pk], [], user.pk)
    with transaction.atomic():
        Payment.objects.create(organization=other, amount=decimal.Decimal("9.00"), plan="pro",
                               period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 1, 31))
    assert everything - _cached() == {"billing:other", "settings:other"}
