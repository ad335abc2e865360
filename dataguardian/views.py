"""Project-level views: the organisation's dashboard and the health check."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dataguardian.orgs.roles import START_SCANS, has_role
from dataguardian.orgs.scoping import member_required
from dataguardian.scans import charts, selectors


@require_GET
@member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Totals, findings by severity and entity, a 30-day trend (cached aggregates)
    and the latest scans (one indexed query, always fresh)."""
    organization = request.organization
    figures = selectors.dashboard_aggregates(organization)
    totals = figures["totals"]
    severity_rows = [[4, "critical", totals["critical"]], [3, "high", totals["high"]],
                     [2, "medium", totals["medium"]], [1, "low", totals["low"]]]
    return render(request, "dataguardian/dashboard.html", {
        "organization": organization,
        "totals": totals,
        "severity_chart": charts.severity_bars(severity_rows),
        "entity_chart": charts.entity_bars(figures["entities"]),
        "trend": charts.trend_columns(figures["trend"]),
        "recent": selectors.recent_scans(organization=organization),
        "can_start": has_role(request.membership, START_SCANS),
    })


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        database = f"error: {type(exc).__name__}"
    status = 200 if database == "ok" else 503
    return JsonResponse({"database": database}, status=status)
