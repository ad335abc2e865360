"""Which DB-derived values the product caches, and which writes make them stale.

Every value is read through ``performance.querycache.cached_query`` under a
*value key* (below) and tagged with a *dependency key*; a write invalidates
dependency keys with ``querycache.invalidate_on_commit`` from inside its
transaction. Readers bypass the cache while the write commits, and a result
computed from a snapshot older than the commit is never served once the
commit has returned (generation tokens: see ``performance.querycache``). A
rollback changes no value; the affected keys are read from the database
until the write's dirty mark expires (querycache.DIRTY_TTL).

    namespace     value key                    depends on
    scan_results  scan_top_locations(scan_id)  scan_deps(scan_id)
    dashboard     dashboard(org_id)            org_scans(org_id)
    dashboard     billing_summary(org_id)      org_payments(org_id)

``scan_summary(scan_id)`` names the bench's cached summary (bench/cache.py).
Connected by ``DataGuardianConfig.ready()``; the scan pipeline calls
``findings_batch_written`` and ``scan_changed`` through its hooks.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from performance import querycache

SCAN_RESULTS, DASHBOARD = "scan_results", "dashboard"


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


# --- dependency keys (invalidated by writes) --------------------------------
def scan_deps(scan_id: int) -> tuple:
    """scan_results: anything derived from one scan's row and findings."""
    return ("scan", int(scan_id))


def org_scans(org_id: int) -> tuple:
    """dashboard: anything derived from all of an organisation's scans."""
    return ("org", int(org_id), "scans")


def org_payments(org_id: int) -> tuple:
    """dashboard: anything derived from an organisation's payments."""
    return ("org", int(org_id), "payments")


# --- what each write makes stale -------------------------------------------
def scan_changed(scan: Any) -> None:
    """A scan was created, changed state, got its summary or was deleted."""
    querycache.invalidate_on_commit(SCAN_RESULTS, scan_deps(scan.pk))
    querycache.invalidate_on_commit(DASHBOARD, org_scans(scan.organization_id))


def findings_batch_written(scan: Any) -> None:
    """The pipeline wrote a batch of findings for ``scan``."""
    scan_changed(scan)


def payment_changed(payment: Any) -> None:
    querycache.invalidate_on_commit(DASHBOARD, org_payments(payment.organization_id))


def _receiver(handler):
    def receive(sender, instance, **kwargs) -> None:
        if kwargs.get("raw"):  # loaddata: no cache to keep in step
            return
        handler(instance)

    return receive


def connect_signals() -> None:
    """Connect the receivers (idempotent); called from ``DataGuardianConfig.ready()``.

    Senders are named by label, so this module imports no app's models.
    """
    for model, handler in (("scans.Scan", scan_changed), ("billing.Payment", payment_changed)):
        receive = _receiver(handler)
        for label, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(receive, sender=model, weak=False, dispatch_uid=f"cache_keys.{model}.{label}")
