"""Invalidation on write: after the transaction commits, never before, never
on rollback — for the namespace API, and for the product's query-cached
values (``dataguardian.cache_keys`` over ``performance.querycache``)."""

from __future__ import annotations

import datetime
import decimal
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connections, transaction

from dataguardian import cache_keys
from dataguardian.billing import selectors as billing_selectors
from dataguardian.billing.models import Payment, PaymentStatus
from dataguardian.orgs.models import Organization
from dataguardian.scans.models import Scan, ScanKind, ScanStatus
from dataguardian.scans.services import scans_delete
from performance.cache import namespace
from performance.querycache import cached_query
from tests.foundation.factories import make_scan

from .cache_support import clean_cache  # noqa: F401 - fixture
from .db_support import in_thread

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


# --- the product's query-cached values ---------------------------------------
@pytest.fixture
def org_pair():
    user = get_user_model().objects.create_user("ann", password="x")
    mine = Organization.objects.create(name="Mine", slug="mine")
    other = Organization.objects.create(name="Other", slug="other")
    return user, mine, other


def _scan(org, user, **extra) -> Scan:
    return make_scan(org, created_by=user, kind=ScanKind.DOCUMENTS, source="upload", **extra)


def _payment(org, **extra) -> Payment:
    return Payment.objects.create(organization=org, amount=decimal.Decimal("9.00"), plan="pro",
                                  period_start=datetime.date(2026, 1, 1),
                                  period_end=datetime.date(2026, 1, 31), **extra)


def _probes() -> list[tuple[str, str, tuple, tuple]]:
    """(short name, namespace, value key, dependency key) of every product value
    — the table in cache_keys' docstring, for the rows that exist."""
    probes = []
    for scan_id in Scan.objects.values_list("pk", flat=True):
        probes.append((f"locations:{scan_id}", cache_keys.SCAN_RESULTS,
                       cache_keys.scan_top_locations(scan_id), cache_keys.scan_deps(scan_id)))
    for org_id, slug in Organization.objects.values_list("pk", "slug"):
        probes += [
            (f"dashboard:{slug}", cache_keys.DASHBOARD, cache_keys.dashboard(org_id),
             cache_keys.org_scans(org_id)),
            (f"billing:{slug}", cache_keys.DASHBOARD, cache_keys.billing_summary(org_id),
             cache_keys.org_payments(org_id)),
        ]
    return probes


def _read(tag: str = "v") -> set[str]:
    """Read every product value; return which ones were computed (not served from the cache)."""
    computed = set()

    def compute(name):
        computed.add(name)
        return tag

    for name, ns, key, dep in _probes():
        cached_query(ns, key, lambda n=name: compute(n), depends_on=dep)
    return computed


def _values() -> set:
    return {cached_query(ns, key, lambda: "fresh", depends_on=dep) for _, ns, key, dep in _probes()}


def test_saving_a_scan_recomputes_exactly_its_values_after_commit(org_pair):
    user, mine, other = org_pair
    scan = _scan(mine, user)
    _scan(other, user)  # its values must stay cached
    _read()
    assert _read() == set()  # all cached
    affected = {f"locations:{scan.pk}", "dashboard:mine"}
    with transaction.atomic():
        scan.status = ScanStatus.COMPLETED
        scan.save()
        # While the write commits its readers go to the database and keep nothing ...
        assert _read(tag="uncommitted") == affected
        assert _read(tag="uncommitted") == affected
    # ... so nothing read before the commit is served after it; then cached again.
    assert _read() == affected
    assert _read() == set()
    assert "uncommitted" not in _values()


def test_a_rolled_back_scan_change_changes_no_value(org_pair):
    user, mine, other = org_pair
    scan = _scan(mine, user)
    _read()
    with pytest.raises(Boom), transaction.atomic():
        scan.status = ScanStatus.FAILED
        scan.save()
        assert _read(tag="rolled-back") == {f"locations:{scan.pk}", "dashboard:mine"}
        raise Boom
    # Unaffected values are still served; the affected ones are read from the
    # database (until the dirty mark expires), never from the rolled-back transaction.
    assert _read() == {f"locations:{scan.pk}", "dashboard:mine"}
    assert _values() == {"v", "fresh"}


def test_deleting_a_scan_and_a_findings_batch_invalidate_after_commit(org_pair):
    user, mine, other = org_pair
    scan, doomed = _scan(mine, user), _scan(other, user)
    _read()
    with transaction.atomic():
        cache_keys.findings_batch_written(scan)
    assert _read() == {f"locations:{scan.pk}", "dashboard:mine"}
    doomed_id = doomed.pk
    scans_delete(scans=Scan.objects.filter(pk=doomed.pk))
    assert _read() == {"dashboard:other"}  # the deleted scan has no probe any more
    assert cached_query(cache_keys.SCAN_RESULTS, cache_keys.scan_top_locations(doomed_id),
                        lambda: "recomputed", depends_on=cache_keys.scan_deps(doomed_id)) == "recomputed"


def test_a_payment_invalidates_its_organisations_billing_only(org_pair):
    user, mine, other = org_pair
    _read()
    with transaction.atomic():
        _payment(other)
    assert _read() == {"billing:other"}
    assert _read() == set()


def test_a_rolled_back_savepoint_drops_only_its_own_invalidations(org_pair):
    user, mine, other = org_pair
    scan = _scan(mine, user)
    _read()
    with transaction.atomic():
        scan.save()
        with pytest.raises(Boom), transaction.atomic():
            _payment(other)
            raise Boom
    outer = {f"locations:{scan.pk}", "dashboard:mine"}
    inner = {"billing:other"}  # dirty until it expires: read, never cached
    assert _read() == outer | inner
    assert _read() == inner
    assert Payment.objects.count() == 0


@pytest.mark.postgres
def test_a_billing_summary_racing_a_payment_commit_is_not_served_afterwards(org_pair, monkeypatch):
    """The reader queries before the payment commits and stores after the commit."""
    _, mine, _ = org_pair
    _payment(mine, status=PaymentStatus.PAID)
    queried, committed = threading.Event(), threading.Event()
    compute = billing_selectors._billing_summary

    def slow(organization):
        totals = compute(organization)
        if threading.current_thread().name == "racing-reader":
            queried.set()
            assert committed.wait(10)
        return totals

    monkeypatch.setattr(billing_selectors, "_billing_summary", slow)

    def summary():
        return billing_selectors.billing_summary(organization=mine)["paid"]

    raced = {}
    reader = threading.Thread(name="racing-reader",
                              target=lambda: (raced.update(paid=summary()), connections.close_all()))
    reader.start()
    assert queried.wait(10)

    def pay():
        with transaction.atomic():
            _payment(mine, status=PaymentStatus.PAID)

    in_thread(pay)
    committed.set()
    reader.join(10)
    assert raced["paid"] == decimal.Decimal("9.00")  # it did read the old snapshot ...
    assert in_thread(summary) == decimal.Decimal("18.00")  # ... which nobody is served afterwards
    assert in_thread(summary) == decimal.Decimal("18.00")
