"""Reads for the scan pages: every query here is indexed, paged by keyset and
fetches only the columns its page shows, so that templates never query.

The caller passes an organisation that came from ``dataguardian.orgs.scoping``;
every function filters on it, so a scan of another organisation is simply
not found.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import connection
from django.db.models import Avg, Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dataguardian import cache_keys
from dataguardian.orgs.models import Organization
from dataguardian.scans.keyset import Key, Page, datetime_key, paginate
from dataguardian.scans.models import Entity, Finding, Scan, ScanKind, ScanStatus, Severity
from performance.querycache import cached_query

SCAN_KEYS = (datetime_key("created_at", descending=True), Key("id", descending=True))
# "Critical first", then in the order they were found: index finding_scan_severity_idx.
FINDING_KEYS = (Key("severity", descending=True), Key("id", descending=False))

SCAN_LIST_COLUMNS = (
    "id", "organization_id", "kind", "source", "status", "progress_done", "progress_total",
    "findings_count", "count_critical", "count_high", "count_medium", "count_low",
    "risk_score", "created_at", "finished_at", "created_by__username",
)
FINDING_COLUMNS = (
    "id", "scan_id", "entity", "category", "severity", "confidence", "path", "line", "column",
    "sheet", "cell", "table_name", "column_name", "row_key", "masked_value", "context",
)
EXPORT_COLUMNS = FINDING_COLUMNS[2:] + ("row_key_hash", "value_hash", "created_at")


@dataclass(frozen=True)
class ScanFilters:
    status: str = ""
    kind: str = ""
    search: str = ""


@dataclass(frozen=True)
class FindingFilters:
    entity: str = ""
    severity: int | None = None


def _scans(organization: Organization) -> QuerySet[Scan]:
    return Scan.objects.filter(organization_id=organization.pk).select_related("created_by")


def scan_list(
    *, organization: Organization, filters: ScanFilters = ScanFilters(),
    after: str | None = None, before: str | None = None, size: int = 25,
) -> Page:
    """An organisation's scans newest first, one keyset page (index scan_org_created_idx,
    or scan_org_status_idx when filtered by status)."""
    queryset = _scans(organization).only(*SCAN_LIST_COLUMNS)
    if filters.status in ScanStatus.values:
        queryset = queryset.filter(status=filters.status)
    if filters.kind in ScanKind.values:
        queryset = queryset.filter(kind=filters.kind)
    term = filters.search.strip()
    if term:
        match = Q(source__icontains=term)
        if term.lstrip("#").isdigit():
            match |= Q(pk=int(term.lstrip("#")))
        queryset = queryset.filter(match)
    return paginate(queryset, SCAN_KEYS, after=after, before=before, size=size)


def recent_scans(*, organization: Organization, size: int = 5) -> list[Scan]:
    return list(_scans(organization).only(*SCAN_LIST_COLUMNS).order_by("-created_at", "-id")[:size])


def scan_get(*, organization: Organization, scan_id: int) -> Scan:
    """The scan, with its creator's name; 404 when it is not this organisation's."""
    return get_object_or_404(_scans(organization), pk=scan_id)


def scan_progress_get(*, organization: Organization, scan_id: int) -> Scan:
    """Only what the progress endpoint sends: one narrow row for frequent polling."""
    return get_object_or_404(
        Scan.objects.filter(organization_id=organization.pk).only(
            "id", "status", "progress_done", "progress_total", "findings_count",
            "error_message", "finished_at",
        ),
        pk=scan_id,
    )


def parse_finding_filters(entity: str | None, severity: str | None) -> FindingFilters:
    """Filters from query parameters; unknown values mean "no filter", never an error."""
    entity = entity if entity in Entity.values else ""
    rank = None
    if severity:
        if severity.isdigit() and int(severity) in Severity.values:
            rank = int(severity)
        else:
            rank = next((s.value for s in Severity if s.label == severity.lower()), None)
    return FindingFilters(entity=entity, severity=rank)


def _findings(scan: Scan, filters: FindingFilters) -> QuerySet[Finding]:
    # The organisation is repeated on purpose: a scan id alone never reaches findings.
    queryset = Finding.objects.filter(scan_id=scan.pk, organization_id=scan.organization_id)
    if filters.entity:
        queryset = queryset.filter(entity=filters.entity)  # index finding_scan_entity_idx
    if filters.severity is not None:
        queryset = queryset.filter(severity=filters.severity)
    return queryset


def finding_list(
    *, scan: Scan, filters: FindingFilters = FindingFilters(),
    after: str | None = None, before: str | None = None, size: int = 50,
) -> Page:
    """A scan's findings, critical first, one keyset page on ``(-severity, id)``."""
    queryset = _findings(scan, filters).only(*FINDING_COLUMNS)
    return paginate(queryset, FINDING_KEYS, after=after, before=before, size=size)


def finding_export_rows(*, scan: Scan, chunk_size: int = 2000) -> Iterator[tuple]:
    """Every finding of ``scan`` as tuples of ``EXPORT_COLUMNS``, critical first.

    Rows are streamed from a server-side cursor in chunks: memory stays flat
    whatever the number of findings.
    """
    queryset = _findings(scan, FindingFilters()).order_by("-severity", "id")
    return queryset.values_list(*EXPORT_COLUMNS).iterator(chunk_size=chunk_size)


# --- Summaries and the dashboard (computed in the database, served from the cache) ---

TOP_LOCATIONS = 8
TREND_DAYS = 30


def _top_locations(scan: Scan) -> list[list]:
    rows = (
        _findings(scan, FindingFilters())
        .values("path")
        .annotate(n=Count("id"), worst=Max("severity"))
        .order_by("-n", "path")[:TOP_LOCATIONS]
    )
    return [[row["path"] or "(database)", row["n"], row["worst"]] for row in rows]


def scan_summary(scan: Scan) -> dict:
    """Counts per severity and entity (from the scan row, written by the summary
    task) and the locations with most findings (one grouped query, cached per
    scan by the ``scan_results`` query cache once the scan has finished)."""
    summary = {
        "severity": [[rank, label, getattr(scan, f"count_{label}")] for rank, label in
                     sorted(Severity.choices, reverse=True)],
        "entities": sorted(
            ([entity, int(n)] for entity, n in (scan.entity_counts or {}).items()),
            key=lambda pair: (-pair[1], pair[0]),
        ),
        "top_locations": [],
    }
    if scan.is_finished and scan.findings_count:
        summary["top_locations"] = cached_query(
            cache_keys.SCAN_RESULTS, cache_keys.scan_top_locations(scan.pk), lambda: _top_locations(scan),
            depends_on=cache_keys.scan_deps(scan.pk),
        )
    return summary


def _entity_totals(organization: Organization) -> list[list]:
    """Findings per entity over all scans, summed from each scan's entity_counts
    by the database (jsonb_each on PostgreSQL, json_each on SQLite)."""
    table = Scan._meta.db_table
    if connection.vendor == "postgresql":
        sql = (f"SELECT e.key, SUM(e.value::bigint) FROM {table}, "
               f"jsonb_each_text({table}.entity_counts) AS e "
               f"WHERE {table}.organization_id = %s GROUP BY e.key")
    else:
        sql = (f"SELECT e.key, SUM(e.value) FROM {table}, json_each({table}.entity_counts) AS e "
               f"WHERE {table}.organization_id = %s GROUP BY e.key")
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization.pk])
        rows = cursor.fetchall()
    return sorted(([key, int(total)] for key, total in rows), key=lambda pair: (-pair[1], pair[0]))


def _dashboard(organization: Organization) -> dict:
    scans = Scan.objects.filter(organization_id=organization.pk)
    totals = scans.aggregate(
        scans=Count("id"),
        findings=Coalesce(Sum("findings_count"), 0),
        critical=Coalesce(Sum("count_critical"), 0),
        high=Coalesce(Sum("count_high"), 0),
        medium=Coalesce(Sum("count_medium"), 0),
        low=Coalesce(Sum("count_low"), 0),
        running=Count("id", filter=Q(status__in=[ScanStatus.QUEUED, ScanStatus.RUNNING])),
        failed=Count("id", filter=Q(status=ScanStatus.FAILED)),
        avg_risk=Avg("risk_score", filter=Q(status=ScanStatus.COMPLETED)),
    )
    since = timezone.localdate() - timedelta(days=TREND_DAYS - 1)
    tz = timezone.get_current_timezone()
    trend_rows = (
        scans.filter(created_at__gte=timezone.make_aware(datetime.combine(since, time.min), tz))
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(scans=Count("id"), findings=Coalesce(Sum("findings_count"), 0))
        .order_by("day")
    )
    by_day = {row["day"]: row for row in trend_rows}
    trend = []
    for offset in range(TREND_DAYS):
        day = since + timedelta(days=offset)
        row = by_day.get(day, {})
        trend.append([day.isoformat(), row.get("scans", 0), row.get("findings", 0)])
    totals["avg_risk"] = round(totals["avg_risk"] or 0.0, 1)
    return {"totals": totals, "entities": _entity_totals(organization), "trend": trend}


def dashboard_aggregates(organization: Organization) -> dict:
    """The dashboard's figures for ``organization``, from the ``dashboard``
    query cache; any committed change to one of its scans invalidates it."""
    return cached_query(
        cache_keys.DASHBOARD, cache_keys.dashboard(organization.pk), lambda: _dashboard(organization),
        depends_on=cache_keys.org_scans(organization.pk),
    )
