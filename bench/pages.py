"""Latency and query counts of the pages users work in, with 100 000 findings in one scan.

Measured through Django's test client (the whole request: middleware, session,
scoping, selectors, templates), on PostgreSQL and Redis, as the median of N
requests after a warm-up:

- ``detail``: the scan detail page (summary, charts, first findings page);
- ``findings_page``: a findings page deep in the scan (keyset cursor half-way
  into the largest severity group), and a page filtered by entity and severity;
- ``dashboard``: served from the cache, and cold (cache namespace invalidated
  before each request: the aggregates computed in the database).

    .venv/bin/python bench/pages.py [--findings 100000] [--requests 30]

Uses BENCH_PAGES_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dg_bench_pages,
created and migrated; the bench organisation is built once and reused) and
BENCH_PAGES_REDIS_URL (default redis://127.0.0.1:6379/9; nothing is flushed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("BENCH_PAGES_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/dg_bench_pages")
REDIS_URL = os.environ.get("BENCH_PAGES_REDIS_URL", "redis://127.0.0.1:6379/9")
ORG_SLUG = "bench-pages"


def setup_django() -> None:
    from bench.lib.pg import ensure_database, migrate

    ensure_database(DATABASE_URL)
    migrate(DATABASE_URL)
    os.environ.update({"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "DEBUG": "true",
                       "DEBUG_TOOLBAR": "false", "LOG_LEVEL": "WARNING"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataguardian.settings")
    import django

    django.setup()


def build(findings: int):
    """The bench organisation, its analyst and the big scan (made once, then reused)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from dataguardian.orgs.models import Membership, Organization, Role
    from dataguardian.scans.models import Scan
    from dataguardian.scans.services import partition_lifecycle
    from tests.foundation.factories import make_scan
    from tests.scans.page_support import bulk_findings

    org, _ = Organization.objects.get_or_create(slug=ORG_SLUG, defaults={"name": "Bench Pages BV"})
    user, created = get_user_model().objects.get_or_create(username="bench-pages")
    if created:
        Membership.objects.create(user=user, organization=org, role=Role.ANALYST)
    scan = Scan.objects.filter(organization=org, findings_count=findings).first()
    if scan is None:
        started = time.perf_counter()
        scan = make_scan(org, created_by=user, kind="documents", source=f"Bench: {findings} findings",
                         status="completed", progress_done=1, progress_total=1)
        bulk_findings(scan, findings)
        partition_lifecycle.on_scan_finished(scan.pk)  # what the pipeline does when a scan ends
        for n in range(40):  # a history for the dashboard and the scans list
            make_scan(org, created_by=user, kind="code", source=f"Bench {n}", status="completed",
                      progress_done=1, progress_total=1, findings_count=n, count_low=n,
                      entity_counts={"EMAIL": n})
        print(f"built scan {scan.pk} with {findings} findings in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give after a load
        cursor.execute("ANALYZE scans_finding")
        cursor.execute("ANALYZE scans_scan")
    return user, scan


def median_ms(client, url: str, params: dict, requests: int, before=None) -> float:
    timings = []
    for _ in range(3):  # warm-up
        client.get(url, params)
    for _ in range(requests):
        if before:
            before()
        started = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    page = response.context and response.context.get("findings")
    assert page is None or len(page.items) == 50, f"{url} {params}: a full page is measured"
    return statistics.median(timings)


def count_queries(client, url: str, params: dict | None = None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url, params or {})
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    setup_django()

    from django.test import Client
    from django.urls import reverse

    from dataguardian.scans.models import Finding
    from performance.cache import namespace

    user, scan = build(args.findings)
    client = Client()
    client.force_login(user)
    detail = reverse("scans:detail", args=[scan.pk])
    findings = reverse("scans:findings", args=[scan.pk])
    # A cursor half-way into the largest severity group: the deepest a page gets.
    medium = Finding.objects.filter(scan_id=scan.pk, severity=2).order_by("id")
    middle = medium.values_list("id", flat=True)[args.findings // 8]
    deep = {"after": f"2_{middle}"}
    dashboard = reverse("dashboard")

    figures = {
        "detail_ms": median_ms(client, detail, {}, args.requests),
        "findings_page_ms": median_ms(client, findings, deep, args.requests),
        "findings_filtered_ms": median_ms(client, findings, {"entity": "IBAN", "severity": "4"},
                                          args.requests),
        "dashboard_ms": median_ms(client, dashboard, {}, args.requests),
        "dashboard_cold_ms": median_ms(client, dashboard, {}, args.requests,
                                       before=namespace("dashboard").invalidate),
    }
    queries = {
        "queries_detail": count_queries(client, detail),
        "queries_findings_page": count_queries(client, findings, deep),
        "queries_dashboard": count_queries(client, dashboard),
    }
    print(f"scan {scan.pk}: {args.findings} findings, median of {args.requests} requests "
          f"(Django test client, PostgreSQL + Redis, DEBUG on, toolbar off)")
    for key, value in figures.items():
        print(f"  {key:22} {value:8.1f} ms")
    for key, value in queries.items():
        print(f"  {key:22} {value:8d}")
    fields = " ".join(f"{k}={v:.1f}" for k, v in figures.items())
    counts = " ".join(f"{k}={v}" for k, v in queries.items())
    print(f"BENCH pages {fields} {counts} findings={args.findings}")


if __name__ == "__main__":
    main()
