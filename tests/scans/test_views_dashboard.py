"""The dashboard's figures are computed in the database, cached, and refreshed when scans change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dataguardian.scans.models import Scan
from tests.foundation.factories import make_scan

pytestmark = pytest.mark.django_db


def _scan(org, **fields):
    return make_scan(org, status="completed", progress_done=1, progress_total=1, **fields)


def test_dashboard_totals_entities_and_trend(analyst, org, other_org):
    _scan(org, findings_count=7, count_critical=2, count_high=1, count_medium=3, count_low=1,
          entity_counts={"NL_BSN": 2, "EMAIL": 5}, risk_score=80)
    _scan(org, findings_count=3, count_low=3, entity_counts={"EMAIL": 3}, risk_score=20)
    make_scan(org, status="running")
    _scan(other_org, findings_count=999, count_critical=999, entity_counts={"IBAN": 999})
    context = analyst.get(reverse("dashboard")).context
    totals = context["totals"]
    assert (totals["scans"], totals["findings"], totals["critical"], totals["low"]) == (3, 10, 2, 4)
    assert totals["running"] == 1 and totals["avg_risk"] == 50.0
    bars = context["entity_chart"]["bars"]
    assert [(b["entity"], b["count"]) for b in bars] == [("EMAIL", 8), ("NL_BSN", 2)]
    columns = context["trend"]["columns"]
    assert len(columns) == 30
    assert columns[-1]["findings"] == 10 and columns[-1]["scans"] == 3
    assert sum(c["findings"] for c in columns[:-1]) == 0
    html = analyst.get(reverse("dashboard")).content.decode()
    assert "<svg class=\"trend\"" in html and "Recent scans" in html


def test_dashboard_is_served_from_the_cache_and_refreshed_when_a_scan_changes(
        analyst, org, settings, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    settings.PERFORMANCE_QUERY_CACHE = True  # "auto" skips an in-process cache (no REDIS_URL)
    with django_capture_on_commit_callbacks(execute=True):  # the test's transaction never commits
        scan = _scan(org, findings_count=1, count_low=1)
    first = analyst.get(reverse("dashboard")).context["totals"]["findings"]
    with django_capture_on_commit_callbacks(execute=True):
        Scan.objects.filter(pk=scan.pk).update(findings_count=5)  # no signal: the cache is stale
    assert analyst.get(reverse("dashboard")).context["totals"]["findings"] == first == 1
    with django_capture_on_commit_callbacks(execute=True):
        scan.findings_count = 6
        scan.save()  # a save (as the summary task does) invalidates the cached figures
    assert analyst.get(reverse("dashboard")).context["totals"]["findings"] == 6
