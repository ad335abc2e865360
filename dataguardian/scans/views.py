"""The scan pages. Thin: scope through ``orgs.scoping``, read through
``selectors``, write through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dataguardian.activity import Action
from dataguardian.orgs.roles import START_SCANS, has_role
from dataguardian.orgs.scoping import member_required
from dataguardian.scans import charts, exports, selectors, services, uploads
from dataguardian.scans.forms import DATABASE, FOLDER, UPLOAD, FindingFilterForm, ScanFilterForm, ScanForm
from dataguardian.scans.models import Scan
from sessions_ext import activity

SCANS_PER_PAGE = 25
FINDINGS_PER_PAGE = 50


def _querystring(request: HttpRequest, **changes) -> str:
    """The current query string with ``changes`` applied (None removes a key)."""
    params = request.GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    return params.urlencode()


@require_GET
@member_required
def scan_list(request: HttpRequest) -> HttpResponse:
    form = ScanFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ScanFilters(
        status=data.get("status", ""), kind=data.get("kind", ""), search=data.get("q", "")
    )
    page = selectors.scan_list(
        organization=request.organization, filters=filters,
        after=request.GET.get("after"), before=request.GET.get("before"), size=SCANS_PER_PAGE,
    )
    return render(request, "scans/list.html", {
        "form": form, "page": page, "filtered": any((filters.status, filters.kind, filters.search)),
        "next_qs": page.next_cursor and _querystring(request, after=page.next_cursor, before=None),
        "prev_qs": page.prev_cursor and _querystring(request, before=page.prev_cursor, after=None),
        "first_qs": _querystring(request, after=None, before=None),
        "can_start": has_role(request.membership, START_SCANS),
    })


def _start_scan(request: HttpRequest, form: ScanForm) -> Scan:
    """Store the upload (if any) and create the scan (which removes the upload if it fails)."""
    data = form.cleaned_data
    upload_dir = services.store_upload(data["files"]) if data["source"] == UPLOAD else None
    return services.scan_create(
        user=request.user, organization=request.organization, kind=data["kind"],
        upload_dir=upload_dir,
        folder=data["folder"] if data["source"] == FOLDER else None,
        database_url=data["database_url"] if data["source"] == DATABASE else None,
    )


@require_http_methods(["GET", "POST"])
@member_required(role=START_SCANS)
def scan_new(request: HttpRequest) -> HttpResponse:
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and uploads.too_many_files(request):
        form.refuse_too_many_files()
    elif request.method == "POST" and form.is_valid():
        try:
            scan = _start_scan(request, form)
        except services.ScanSourceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Scan #{scan.pk} is queued. Its progress shows below.")
            return redirect("scans:detail", scan_id=scan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "scans/new.html", {"form": form}, status=status)


def _findings_context(request: HttpRequest, scan: Scan) -> dict:
    form = FindingFilterForm(request.GET or None)
    filters = selectors.parse_finding_filters(request.GET.get("entity"), request.GET.get("severity"))
    page = selectors.finding_list(
        scan=scan, filters=filters, after=request.GET.get("after"),
        before=request.GET.get("before"), size=FINDINGS_PER_PAGE,
    )
    return {
        "scan": scan, "filter_form": form, "findings": page,
        "filtered": bool(filters.entity or filters.severity),
        "next_qs": page.next_cursor and _querystring(request, after=page.next_cursor, before=None),
        "prev_qs": page.prev_cursor and _querystring(request, before=page.prev_cursor, after=None),
        "first_qs": _querystring(request, after=None, before=None),
    }


@require_GET
@member_required
def scan_detail(request: HttpRequest, scan_id: int) -> HttpResponse:
    scan = selectors.scan_get(organization=request.organization, scan_id=scan_id)
    context = _findings_context(request, scan)
    summary = selectors.scan_summary(scan)
    context.update({
        "summary": summary,
        "severity_chart": charts.severity_bars(summary["severity"]),
        "entity_chart": charts.entity_bars(summary["entities"]),
        "can_cancel": not scan.is_finished and has_role(request.membership, START_SCANS),
    })
    activity.record(request, Action.SCAN_VIEWED, scan)
    return render(request, "scans/detail.html", context)


@require_GET
@member_required
def scan_findings(request: HttpRequest, scan_id: int) -> HttpResponse:
    """One page of the findings table alone, for paging without reloading the page."""
    scan = selectors.scan_get(organization=request.organization, scan_id=scan_id)
    return render(request, "scans/_findings.html", _findings_context(request, scan))


@require_GET
@member_required
def scan_progress(request: HttpRequest, scan_id: int) -> JsonResponse:
    scan = selectors.scan_progress_get(organization=request.organization, scan_id=scan_id)
    response = JsonResponse({
        "id": scan.pk, "status": scan.status, "status_label": scan.get_status_display(),
        "finished": scan.is_finished, "done": scan.progress_done, "total": scan.progress_total,
        "percent": scan.progress_percent, "findings": scan.findings_count,
        "error": scan.error_message if scan.status == "failed" else "",
    })
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@member_required(role=START_SCANS)
def scan_cancel(request: HttpRequest, scan_id: int) -> HttpResponse:
    scan = selectors.scan_get(organization=request.organization, scan_id=scan_id)
    if scan.is_finished:
        messages.info(request, f"Scan #{scan.pk} had already finished ({scan.get_status_display()}).")
    else:
        services.scan_cancel(user=request.user, scan=scan)
        messages.success(request, f"Scan #{scan.pk} is cancelled.")
    return redirect(reverse("scans:detail", kwargs={"scan_id": scan.pk}))


@require_GET
@member_required
def scan_export(request: HttpRequest, scan_id: int, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404("Unknown export format")
    scan = selectors.scan_get(organization=request.organization, scan_id=scan_id)
    activity.record(request, Action.SCAN_EXPORTED, scan, format=fmt)
    return exports.export_response(scan, fmt)


@require_GET
@member_required
def scan_report(request: HttpRequest, scan_id: int) -> HttpResponse:
    """A printable report: the summary and the most severe findings."""
    scan = selectors.scan_get(organization=request.organization, scan_id=scan_id)
    summary = selectors.scan_summary(scan)
    findings = selectors.finding_list(scan=scan, size=exports.REPORT_FINDINGS)
    activity.record(request, Action.SCAN_REPORT_VIEWED, scan)
    return render(request, "scans/report.html", {
        "scan": scan, "summary": summary, "findings": findings,
        "severity_chart": charts.severity_bars(summary["severity"]),
        "entity_chart": charts.entity_bars(summary["entities"]),
        "organization": request.organization,
    })
