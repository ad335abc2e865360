"""Reads for the billing page, scoped to one organisation."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from dataguardian import cache_keys
from dataguardian.billing.models import Payment, PaymentStatus
from dataguardian.orgs.models import Organization
from dataguardian.scans.keyset import Key, Page, datetime_key, paginate
from performance.querycache import cached_query

PAYMENT_KEYS = (datetime_key("created_at", descending=True), Key("id", descending=True))


def payment_list(
    *, organization: Organization, status: str = "", after: str | None = None,
    before: str | None = None, size: int = 20,
) -> Page:
    """An organisation's payments newest first (index payment_org_status_idx when filtered)."""
    queryset = Payment.objects.filter(organization_id=organization.pk)
    if status in PaymentStatus.values:
        queryset = queryset.filter(status=status)
    return paginate(queryset, PAYMENT_KEYS, after=after, before=before, size=size)


def billing_summary(*, organization: Organization) -> dict:
    """Paid to date, outstanding, failures and the latest paid period, from the
    ``dashboard`` query cache (``cache_keys`` invalidates it when a payment commits)."""
    return cached_query(
        cache_keys.DASHBOARD, cache_keys.billing_summary(organization.pk),
        lambda: _billing_summary(organization), depends_on=cache_keys.org_payments(organization.pk),
    )


def _billing_summary(organization: Organization) -> dict:
    payments = Payment.objects.filter(organization_id=organization.pk)
    zero = Decimal("0.00")
    totals = payments.aggregate(
        paid=Coalesce(Sum("amount", filter=Q(status=PaymentStatus.PAID)), zero),
        pending=Coalesce(Sum("amount", filter=Q(status=PaymentStatus.PENDING)), zero),
        failed=Count("id", filter=Q(status=PaymentStatus.FAILED)),
    )
    current = (
        payments.filter(status=PaymentStatus.PAID)
        .values("plan", "period_start", "period_end", "amount", "currency")
        .order_by("-period_end", "-id")
        .first()
    )
    totals["current"] = current  # a plain dict: cached values are never model instances
    return totals
