"""The hot queries of bench/db_indexes.py and how one is measured.

Each entry is the query a ``Meta.indexes`` comment names, written as the
page's queryset, with the index that serves it.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from bench.lib.index_data import BIG_ORG_SCANS


def hot_queries():
    from dataguardian.billing.models import Payment
    from dataguardian.orgs.models import Membership
    from dataguardian.scans.models import UNFINISHED_STATUSES, Finding, Scan

    org, scan = 1, 1
    some_hash = Finding.objects.filter(organization_id=org).values_list("value_hash", flat=True)[0]
    return [
        ("scans newest first", "scan_org_created_idx",
         Scan.objects.filter(organization_id=org).order_by("-created_at", "-id")[:26]),
        ("scans in a status", "scan_org_status_idx",
         Scan.objects.filter(organization_id=org, status="failed").order_by("-created_at", "-id")[:26]),
        ("stale-scan sweep", "scan_unfinished_idx",
         Scan.objects.filter(status__in=UNFINISHED_STATUSES)
         .annotate(seen=Coalesce(F("last_progress_at"), F("created_at")))
         .filter(Q(seen__lt=timezone.now() - timedelta(minutes=15)))
         .only("pk", "status", "last_progress_at", "created_at")),
        ("findings critical first", "finding_scan_severity_idx",
         Finding.objects.filter(scan_id=scan).order_by("-severity", "id")[:51]),
        ("findings of one entity", "finding_scan_entity_idx",
         Finding.objects.filter(scan_id=scan, entity="IBAN").order_by("-severity", "id")[:51]),
        ("same value elsewhere", "finding_org_hash_idx",
         Finding.objects.filter(organization_id=org, value_hash=some_hash).exclude(scan_id=BIG_ORG_SCANS)
         .values("scan_id").distinct()[:20]),
        ("payments by status", "payment_org_status_idx",
         Payment.objects.filter(organization_id=org, status="failed").order_by("-created_at")[:25]),
        ("members by role", "membership_org_role_idx",
         Membership.objects.filter(organization_id=org, role="admin")),
    ]


def _plan_uses(plan: dict, indexes: list[str]) -> bool:
    if plan.get("Index Name") in indexes:
        return True
    return any(_plan_uses(child, indexes) for child in plan.get("Plans", []))


def _copies(cursor, index: str) -> list[str]:
    """``index`` itself, or on PostgreSQL's findings partitions its per-partition copies
    (``<index>_a_<low>_<high>``, ``<index>_s<scan>``: dataguardian.scans.partitions)."""
    cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = %s OR indexname LIKE %s",
                   [index, index.replace("_", "\\_") + "\\_%"])
    return [row[0] for row in cursor.fetchall()]


def _timed(cursor, sql: str, params, runs: int) -> tuple[float, float]:
    """Median round trip (execute + fetch, ms) and median server execution time (ms)."""
    cursor.execute(sql, params)  # warm the cache
    cursor.fetchall()
    trips, server = [], []
    for _ in range(runs):
        start = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        trips.append((time.perf_counter() - start) * 1000)
        # TIMING OFF: the executor's total without per-node clock reads.
        cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql, params)
        server.append(_json(cursor.fetchone()[0])["Execution Time"])
    return statistics.median(trips), statistics.median(server)


def _json(raw):
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]


def measure_query(name: str, index: str, queryset, runs: int) -> dict:
    """Medians with the index, then with it dropped (in a rolled-back transaction)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        copies = _copies(cursor, index)
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = _json(cursor.fetchone()[0])["Plan"]
        with_ms, with_server = _timed(cursor, sql, params, runs)
        with transaction.atomic():
            for name in copies:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            fallback = _json(cursor.fetchone()[0])["Plan"]
            without_ms, without_server = _timed(cursor, sql, params, max(5, runs // 3))
            transaction.set_rollback(True)
    return {
        "name": name, "index": index, "with_ms": with_ms, "without_ms": without_ms,
        "with_server_ms": with_server, "without_server_ms": without_server,
        "ratio": without_server / with_server if with_server else 0.0,
        "trip_ratio": without_ms / with_ms if with_ms else 0.0,
        "index_scan": _plan_uses(plan, copies), "plan_top": plan.get("Node Type", "?"),
        "fallback": _describe(fallback),
    }


def _describe(plan: dict) -> str:
    """The scan nodes of a plan, e.g. "Seq Scan scans_finding" or "Index Scan scan_org_status_idx"."""
    nodes = []

    def walk(node):
        if "Scan" in node.get("Node Type", ""):
            nodes.append(f"{node['Node Type']} {node.get('Index Name') or node.get('Relation Name', '')}")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan)
    return ", ".join(nodes) or plan.get("Node Type", "?")
