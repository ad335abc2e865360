"""Which cached values the product keeps, and which writes make them stale.

Key builders name every cached value (the namespace is given beside each);
the receivers below delete exactly the keys a write affects, after the
transaction commits — never before (a reader could cache the old rows
again) and never on rollback (nothing changed).

    scan_results  scan_summary(scan_id), scan_top_locations(scan_id)
    dashboard     dashboard(org_id), billing_summary(org_id)
    org_settings  org_settings(org_id), user_memberships(user_id)

Connected by ``DataGuardianConfig.ready()``; the scan pipeline calls
``findings_batch_written`` and ``scan_changed`` through its hooks.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from performance.cache import namespace

SCAN_RESULTS, DASHBOARD, ORG_SETTINGS = "scan_results", "dashboard", "org_settings"


# --- key builders -----------------------------------------------------------
def scan_summary(scan_id: int) -> tuple:
    """scan_results: a scan's summary (counts, risk, entities)."""
    return ("scan", int(scan_id), "summary")


def scan_top_locations(scan_id: int) -> tuple:
    """scan_results: the locations with most findings in a scan."""
    return ("scan", int(scan_id), "top_locations")


def dashboard(org_id: int) -> tuple:
    """dashboard: an organisation's dashboard aggregates."""
    return ("org", int(org_id), "dashboard")


def billing_summary(org_id: int) -> tuple:
    """dashboard: an organisation's billing totals."""
    return ("org", int(org_id), "billing")


def org_settings(org_id: int) -> tuple:
    """org_settings: an organisation's settings and members."""
    return ("org", int(org_id), "settings")


def user_memberships(user_id: int) -> tuple:
    """org_settings: the organisations (and roles) of a user."""
    return ("user", int(user_id), "memberships")


# --- what each write makes stale -------------------------------------------
def scan_changed(scan: Any) -> None:
    """A scan was created, changed state, got its summary or was deleted."""
    results = namespace(SCAN_RESULTS)
    results.delete_on_commit(scan_summary(scan.pk))
    results.delete_on_commit(scan_top_locations(scan.pk))
    namespace(DASHBOARD).delete_on_commit(dashboard(scan.organization_id))


def findings_batch_written(scan: Any) -> None:
    """The pipeline wrote a batch of findings for ``scan``."""
    scan_changed(scan)


def membership_changed(membership: Any) -> None:
    settings_ns = namespace(ORG_SETTINGS)
    settings_ns.delete_on_commit(org_settings(membership.organization_id))
    settings_ns.delete_on_commit(user_memberships(membership.user_id))


def payment_changed(payment: Any) -> None:
    namespace(DASHBOARD).delete_on_commit(billing_summary(payment.organization_id))
    namespace(ORG_SETTINGS).delete_on_commit(org_settings(payment.organization_id))


def _receiver(handler):
    def receive(sender, instance, **kwargs) -> None:
        if kwargs.get("raw"):  # loaddata: no cache to keep in step
            return
        handler(instance)

    return receive


def connect_signals() -> None:
    """Connect the receivers (idempotent); called from ``DataGuardianConfig.ready()``."""
    from dataguardian.billing.models import Payment
    from dataguardian.orgs.models import Membership
    from dataguardian.scans.models import Scan

    for model, handler in ((Scan, scan_changed), (Membership, membership_changed),
                           (Payment, payment_changed)):
        receive = _receiver(handler)
        for label, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(receive, sender=model, weak=False,
                           dispatch_uid=f"cache_keys.{model.__name__}.{label}")
