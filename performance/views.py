"""Operator endpoints: /metrics, /livez, /readyz, and the staff export download. Thin: logic lives in
``metrics``, ``health`` and ``export``."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from performance import health, metrics
from performance.export import export_json, export_speedscope, time_range


@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for clients allowed by PERFORMANCE_METRICS_TOKEN / _ALLOWED_IPS."""
    meta = request.META
    if not metrics.client_allowed(meta.get("REMOTE_ADDR", ""), meta.get("HTTP_AUTHORIZATION", "")):
        return HttpResponse("metrics are not available to this client\n", status=403,
                            content_type="text/plain")
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)


@never_cache
def livez(request: HttpRequest) -> JsonResponse:
    """The process answers; no dependency is checked."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker, each with its latency; 503 when one is down."""
    ready, checks = health.readiness()
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                        status=200 if ready else 503)


@require_GET
@staff_member_required
def export_download(request: HttpRequest) -> HttpResponse:
    """``?since=24h&until=&format=json|speedscope``: the export as a download."""
    fmt = request.GET.get("format", "json")
    if fmt not in {"json", "speedscope"}:
        return HttpResponse("format must be json or speedscope\n", status=400, content_type="text/plain")
    try:
        start, end = time_range(request.GET.get("since", "24h"), request.GET.get("until") or None)
    except ValueError as exc:
        return HttpResponse(f"{exc}\n", status=400, content_type="text/plain")
    pieces = export_json(start, end) if fmt == "json" else export_speedscope(start, end)
    response = StreamingHttpResponse((p.encode() for p in pieces), content_type="application/json")
    extension = "json" if fmt == "json" else "speedscope.json"
    response["Content-Disposition"] = (
        f'attachment; filename="performance-{start:%Y%m%dT%H%M}-{end:%Y%m%dT%H%M}.{extension}"')
    return response
