"""Project-level views: the landing dashboard and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "dataguardian/dashboard.html")


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
