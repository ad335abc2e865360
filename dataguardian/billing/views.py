"""The billing page: the organisation's plan and its payments."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dataguardian.billing import selectors
from dataguardian.billing.models import PaymentStatus
from dataguardian.orgs.scoping import member_required


@require_GET
@member_required
def billing(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = selectors.payment_list(
        organization=request.organization, status=status,
        after=request.GET.get("after"), before=request.GET.get("before"),
    )
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("before", None)
    base = params.urlencode()
    return render(request, "billing/billing.html", {
        "organization": request.organization,
        "summary": selectors.billing_summary(organization=request.organization),
        "page": page,
        "status": status if status in PaymentStatus.values else "",
        "statuses": PaymentStatus.choices,
        "next_qs": page.next_cursor and f"{base}&after={page.next_cursor}".lstrip("&"),
        "prev_qs": page.prev_cursor and f"{base}&before={page.prev_cursor}".lstrip("&"),
        "first_qs": base,
    })
