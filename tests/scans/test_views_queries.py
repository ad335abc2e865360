"""Pages run a fixed, small number of queries: templates never query, and the
count does not grow with the number of findings (100 or 100 000)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dataguardian.orgs.models import Role
from tests.foundation.factories import make_payment, make_scan
from tests.scans.page_support import bulk_findings

MAX_QUERIES = 8


def _queries(client, url, params=None) -> int:
    cache.clear()  # the cold case: every cached aggregate is computed again
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
        assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_every_page_stays_within_the_query_budget(member_client, org, django_assert_max_num_queries):
    client = member_client(Role.ANALYST)
    scans = [make_scan(org, status="completed", progress_done=2, progress_total=2) for _ in range(30)]
    bulk_findings(scans[0], 120)
    for n in range(25):
        make_payment(org, provider_reference=f"ref-{n}")
    page = client.get(reverse("scans:findings", args=[scans[0].pk])).context["findings"]
    urls = [
        (reverse("dashboard"), {}), (reverse("scans:list"), {}),
        (reverse("scans:list"), {"status": "completed"}),
        (reverse("scans:new"), {}), (reverse("scans:detail", args=[scans[0].pk]), {}),
        (reverse("scans:detail", args=[scans[0].pk]), {"after": page.next_cursor, "entity": "EMAIL"}),
        (reverse("scans:findings", args=[scans[0].pk]), {"after": page.next_cursor, "severity": "4"}),
        (reverse("scans:progress", args=[scans[0].pk]), {}),
        (reverse("scans:report", args=[scans[0].pk]), {}),
        (reverse("billing:index"), {}),
    ]
    for url, params in urls:
        cache.clear()
        with django_assert_max_num_queries(MAX_QUERIES):
            assert client.get(url, params).status_code == 200, url


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db
def test_detail_and_findings_pages_cost_the_same_for_100_and_100000_findings(member_client, org):
    client = member_client(Role.ANALYST)
    counts = {}
    for size in (100, 100_000):
        scan = make_scan(org, status="completed", progress_done=1, progress_total=1)
        bulk_findings(scan, size)
        detail = reverse("scans:detail", args=[scan.pk])
        findings = reverse("scans:findings", args=[scan.pk])
        first = client.get(findings).context["findings"]
        counts[size] = {
            "detail": _queries(client, detail),
            "detail_page_2": _queries(client, detail, {"after": first.next_cursor}),
            "findings_page": _queries(client, findings, {"after": first.next_cursor}),
            "findings_filtered": _queries(client, findings, {"entity": "IBAN", "severity": "critical"}),
        }
    assert counts[100] == counts[100_000], counts
    assert max(counts[100_000].values()) <= MAX_QUERIES, counts
