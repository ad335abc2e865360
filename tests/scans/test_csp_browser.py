"""The pages and the Django admin work in real Chromium under the Content-Security-Policy.

Every page is opened signed in (through the sign-in form itself) and must log
no CSP violation and no script error; the scan page's live progress must poll
and move its bar. Needs Playwright (a development requirement) and Debian's
Chromium (/usr/bin/chromium); skipped with the reason where either is missing.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule

from dataguardian.orgs.models import Role
from dataguardian.scans.models import Scan, Severity
from tests.conftest import CHROMIUM
from tests.foundation.factories import make_finding, make_member, make_org, make_scan

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
PASSWORD = "a-long-test-password"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def site(settings):
    settings.DG_SCAN_DATABASE_HOSTS = ["192.0.2.10"]
    org = make_org("Acme Zorg")
    admin = make_member(org, Role.OWNER, username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    done = make_scan(org, status="completed", progress_done=2, progress_total=2, findings_count=3,
                     count_high=1, count_medium=2, entity_counts={"EMAIL": 2, "IBAN": 1})
    for severity, entity in ((Severity.HIGH, "IBAN"), (Severity.MEDIUM, "EMAIL"), (Severity.MEDIUM, "EMAIL")):
        make_finding(done, severity=severity, entity=entity)
    running = make_scan(org, status="running", progress_done=1, progress_total=4)
    CrontabSchedule.objects.create(minute="*/5")  # for the periodic-task form's crontab help
    return {"done": done, "running": running}


@pytest.fixture
def browser_page(live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(f"{page.url}: {m.type}: {m.text} {m.location}")
                if m.type == "error" or "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.problems = problems
        page.base = live_server.url
        yield page
        browser.close()
    # The live server's threads took pooled connections: close them, or the test
    # database cannot be dropped at the end of the run.
    if hasattr(connection, "close_pool"):
        connection.close_pool()


def _visit(page, path: str) -> None:
    response = page.goto(page.base + path)
    assert response.status < 400, (path, response.status)
    assert "content-security-policy" in response.headers, path
    page.wait_for_load_state("load")


def test_pages_and_admin_run_under_the_policy(site, browser_page):
    page = browser_page
    _visit(page, reverse("login"))
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(page.base + reverse("dashboard"))

    done, running = site["done"], site["running"]
    for path in [reverse("dashboard"), reverse("scans:list"), reverse("scans:new"),
                 reverse("scans:detail", args=[done.pk]), reverse("scans:report", args=[done.pk]),
                 reverse("billing:index"), reverse("sessions_ext:list"), reverse("sessions_ext:activity"),
                 reverse("password_change"),
                 "/admin/", "/admin/scans/finding/", f"/admin/scans/scan/{done.pk}/change/",
                 "/admin/auth/user/add/", "/admin/django_celery_beat/periodictask/add/"]:
        _visit(page, path)
    # django-celery-beat's crontab help, whose inline script is a static file here.
    page.select_option("#id_crontab", index=1)
    assert "Translation: " in page.inner_text(".field-crontab .help")
    _visit(page, reverse("scans:new"))
    page.check("input[value=database]")  # the source switch of the new-scan form is a script too
    assert page.is_visible("#id_database_url") and not page.is_visible("#id_files")

    # The running scan's page polls its progress and moves the bar.
    with page.expect_response(lambda r: "/progress/" in r.url) as polled:
        _visit(page, reverse("scans:detail", args=[running.pk]))
    assert polled.value.status == 200
    Scan.objects.filter(pk=running.pk).update(progress_done=3)
    connection.close()  # Playwright's greenlet has a connection of its own: give it back
    from playwright.sync_api import expect

    expect(page.locator("svg.progress rect")).to_have_attribute("width", "75")
    assert page.problems == [], "\n".join(page.problems)
